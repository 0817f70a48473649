using Feedback.Workflows.Persistence;
using Feedback.Workflows.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>
/// The database is the source of truth for timers: at start-up and then periodically, every timer bookmark and
/// time-based trigger that has no scheduler entry gets one (lost after a crash between commit and scheduling).
/// </summary>
public sealed class TimerReconciler(IDbContextFactory<WorkflowDbContext> dbFactory, IWorkflowScheduler scheduler, ILogger<TimerReconciler> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var repaired = await ReconcileAsync(stoppingToken);
                if (repaired > 0) logger.LogInformation("Scheduled {Count} timers that had no scheduler entry", repaired);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Timer reconciliation failed; retrying in {Interval}", Interval);
            }
            await Task.Delay(Interval, stoppingToken);
        }
    }

    /// <summary>Schedules what is missing; returns how many timers it added.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var repaired = 0;
        var scheduledBookmarks = await scheduler.GetScheduledBookmarkIdsAsync(cancellationToken);
        var timers = await db.Bookmarks.AsNoTracking().Where(b => b.ResumeAt != null)
            .Select(b => new { b.Id, b.WorkflowInstanceId, b.ResumeAt }).ToListAsync(cancellationToken);
        foreach (var timer in timers.Where(t => !scheduledBookmarks.Contains(t.Id)))
        {
            await scheduler.ScheduleBookmarkAsync(timer.Id, timer.WorkflowInstanceId, timer.ResumeAt!.Value, cancellationToken);
            repaired++;
        }
        var scheduledTriggers = await scheduler.GetScheduledTriggerIdsAsync(cancellationToken);
        var triggers = await db.Triggers.AsNoTracking().Where(t => t.Schedule != null).ToListAsync(cancellationToken);
        foreach (var trigger in triggers.Where(t => !scheduledTriggers.Contains(t.Id)))
        {
            await scheduler.ScheduleTriggerAsync(trigger.Id, TriggerIndexer.ReadSchedule(trigger)!, cancellationToken);
            repaired++;
        }
        return repaired;
    }
}
