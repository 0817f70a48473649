using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Retention;

/// <summary>Runs <see cref="RetentionService.AnonymiseDueAsync"/> shortly after start-up and then every <see cref="RetentionOptions.Interval"/>.</summary>
internal sealed class RetentionJob(RetentionService retention, RetentionOptions options, ILogger<RetentionJob> logger) : BackgroundService
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
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next pass tries again; nothing is half-done because each case is its own transaction.
                logger.LogError(e, "Retention pass failed; it runs again in {Interval}", options.Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
