using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Cases;

/// <summary>
/// Starts the workflow of every case that has none: registration commits the case first and starts its workflow
/// second, so a crash or database blip in between must not leave a case unhandled.
/// </summary>
public sealed class CaseWorkflowStarter(
    IDbContextFactory<FeedbackDbContext> cases,
    IDbContextFactory<WorkflowDbContext> workflows,
    CaseService service,
    ILogger<CaseWorkflowStarter> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await StartMissingAsync(TimeSpan.FromSeconds(10), stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Starting workflows of registered cases failed; retrying in {Interval}", Interval);
            }
            await Task.Delay(Interval, stoppingToken);
        }
    }

    /// <summary>Starts workflows for cases older than <paramref name="grace"/> that have no instance; returns how many.</summary>
    public async Task<int> StartMissingAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        List<FeedbackCase> recent;
        await using (var db = await cases.CreateDbContextAsync(cancellationToken))
        {
            // Only open cases can lack a running workflow; closed ones finished theirs.
            var cutoff = DateTimeOffset.UtcNow - grace;
            recent = await db.Cases.AsNoTracking().Where(c => c.Status != CaseStatus.Closed && c.CreatedAt < cutoff).ToListAsync(cancellationToken);
        }
        if (recent.Count == 0) return 0;
        HashSet<string> existing;
        await using (var db = await workflows.CreateDbContextAsync(cancellationToken))
        {
            var ids = recent.Select(c => c.WorkflowInstanceId).ToList();
            existing = (await db.Instances.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(cancellationToken)).ToHashSet();
        }
        var started = 0;
        foreach (var feedback in recent.Where(c => !existing.Contains(c.WorkflowInstanceId)))
        {
            await service.StartWorkflowAsync(feedback, cancellationToken);
            logger.LogInformation("Started the missing workflow of case {Number}", feedback.Number);
            started++;
        }
        return started;
    }
}
