using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>
/// Runs dispatched instances, including those left Pending by a host that died before running them: any host picks
/// them up, and the row lock taken in <see cref="WorkflowRuntime.RunPendingAsync"/> makes each run once.
/// </summary>
public sealed class PendingInstanceWorker(IServiceScopeFactory scopes, IDbContextFactory<WorkflowDbContext> dbFactory, DispatchSignal signal, ILogger<PendingInstanceWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunBatchAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Running dispatched instances failed; retrying");
            }
            await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    /// <summary>Runs up to one batch of Pending instances; returns how many this host ran.</summary>
    public async Task<int> RunBatchAsync(CancellationToken cancellationToken)
    {
        List<string> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            ids = await db.Instances.AsNoTracking().Where(i => i.SubStatus == "Pending")
                .OrderBy(i => i.CreatedAt).Select(i => i.Id).Take(50).ToListAsync(cancellationToken);
        var ran = 0;
        await using var scope = scopes.CreateAsyncScope();
        var runtime = scope.ServiceProvider.GetRequiredService<WorkflowRuntime>();
        foreach (var id in ids)
        {
            try
            {
                if (await runtime.RunPendingAsync(id, cancellationToken)) ran++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Dispatched instance {InstanceId} could not run", id);
                // An instance that keeps failing is faulted after a few attempts, so it stops taking a place among
                // the oldest Pending instances every pass reads.
                try { await runtime.RecordStartFailureAsync(id, e, cancellationToken); }
                catch (Exception recording) when (recording is not OperationCanceledException)
                {
                    logger.LogError(recording, "Recording the failed start of dispatched instance {InstanceId} failed", id);
                }
            }
        }
        return ran;
    }
}
