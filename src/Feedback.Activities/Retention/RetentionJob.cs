using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Retention;

/// <summary>
/// Runs <see cref="RetentionService.AnonymiseDueAsync"/> and then <see cref="WorkflowDataRetention"/>'s passes shortly
/// after start-up and then every <see cref="RetentionOptions.Interval"/>.
/// </summary>
internal sealed class RetentionJob(RetentionService retention, WorkflowDataRetention workflowData, RetentionOptions options, ILogger<RetentionJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Interval <= TimeSpan.Zero) return;
        // Let migrations and the first requests go first.
        await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
        using var timer = new PeriodicTimer(options.Interval);
        do
        {
            try
            {
                var count = await retention.AnonymiseDueAsync(stoppingToken);
                if (count > 0) logger.LogInformation("Retention anonymised {Count} cases", count);
                var instances = await workflowData.RemoveInstancesOfAnonymisedCasesAsync(stoppingToken);
                if (instances > 0) logger.LogInformation("Retention deleted {Count} finished workflow instances of anonymised cases", instances);
                var undelivered = await workflowData.RemoveUndeliveredMailOfAnonymisedCasesAsync(stoppingToken);
                if (undelivered > 0) logger.LogInformation("Retention deleted {Count} undelivered mails about anonymised cases from the outbox", undelivered);
                var mail = await workflowData.PurgeDeliveredMailAsync(stoppingToken);
                if (mail > 0) logger.LogInformation("Retention deleted {Count} delivered mails from the outbox", mail);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next pass tries again; nothing is half-done because each case is its own transaction.
                logger.LogError(e, "Retention pass failed; it runs again in {Interval}", options.Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
