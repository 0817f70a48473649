using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>
/// The database is the source of truth for timers: at start-up and then periodically, every timer bookmark and
/// time-based trigger that has no scheduler entry gets one (lost after a crash between commit and scheduling), and
/// every scheduler entry whose bookmark or trigger is gone is removed (a crash between commit and unscheduling). A one-off
/// trigger that has fired has no schedule left, so it is not re-created. The timer bookmarks of a faulted instance
/// count as having no timer (its resume would fail) until a retry schedules them again.
/// </summary>
/// <remarks>
/// Both sides are read a page at a time (<see cref="TimerMerge{TStored}"/>), so memory stays bounded however many
/// timers are pending; the database side is a keyset walk over ids in ordinal order.
/// </remarks>
public sealed class TimerReconciler(IDbContextFactory<WorkflowDbContext> dbFactory, IWorkflowScheduler scheduler, ILogger<TimerReconciler> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Rows read from each side per query.</summary>
    public int PageSize { get; init; } = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var repair = await ReconcileAsync(stoppingToken);
                if (repair.Scheduled > 0) logger.LogInformation("Scheduled {Count} timers that had no scheduler entry", repair.Scheduled);
                if (repair.Removed > 0) logger.LogInformation("Removed {Count} scheduler entries whose bookmark or trigger was gone", repair.Removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Timer reconciliation failed; retrying in {Interval}", Interval);
            }
            await Task.Delay(Interval, stoppingToken);
        }
    }

    /// <summary>Schedules what is missing and removes what is orphaned; returns how many of each.</summary>
    public async Task<TimerRepair> ReconcileAsync(CancellationToken cancellationToken)
    {
        var bookmarks = new TimerMerge<TimerBookmark>(
            ReadBookmarksAsync, b => b.Id, scheduler.ListBookmarkTimersAsync,
            (b, ct) => scheduler.ScheduleBookmarkAsync(b.Id, b.WorkflowInstanceId, b.ResumeAt, ct),
            BookmarksAmongAsync, scheduler.UnscheduleBookmarkAsync, PageSize);
        var triggers = new TimerMerge<TriggerRecord>(
            ReadTriggersAsync, t => t.Id, scheduler.ListTriggerTimersAsync,
            (t, ct) => scheduler.ScheduleTriggerAsync(t.Id, TriggerIndexer.ReadSchedule(t)!, ct),
            TriggersAmongAsync, scheduler.UnscheduleTriggerAsync, PageSize);
        return await bookmarks.RunAsync(cancellationToken) + await triggers.RunAsync(cancellationToken);
    }

    private sealed record TimerBookmark(string Id, string WorkflowInstanceId, DateTimeOffset ResumeAt);

    // One short-lived context per page: no connection is held while the scheduler is called between pages.
    private async Task<IReadOnlyList<TimerBookmark>> ReadBookmarksAsync(string? after, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var collation = db.Dialect.OrdinalCollation;
        return await Live(db).AsNoTracking()
            .Where(b => b.ResumeAt != null && (after == null || string.Compare(EF.Functions.Collate(b.Id, collation), after) > 0))
            .OrderBy(b => EF.Functions.Collate(b.Id, collation)).Take(take)
            .Select(b => new TimerBookmark(b.Id, b.WorkflowInstanceId, b.ResumeAt!.Value))
            .ToListAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<TriggerRecord>> ReadTriggersAsync(string? after, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var collation = db.Dialect.OrdinalCollation;
        return await db.Triggers.AsNoTracking()
            .Where(t => t.Schedule != null && (after == null || string.Compare(EF.Functions.Collate(t.Id, collation), after) > 0))
            .OrderBy(t => EF.Functions.Collate(t.Id, collation)).Take(take)
            .ToListAsync(cancellationToken);
    }

    // Any row with the id keeps its entry: removing is only for entries whose row is gone.
    private async Task<IReadOnlySet<string>> BookmarksAmongAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await Live(db).AsNoTracking().Where(b => ids.Contains(b.Id)).Select(b => b.Id).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }

    // A faulted instance's bookmarks stay for its retry, but their timers would fire, fail and be re-created every pass.
    private static IQueryable<BookmarkRecord> Live(WorkflowDbContext db) =>
        db.Bookmarks.Where(b => !db.Instances.Any(i => i.Id == b.WorkflowInstanceId && i.SubStatus == FaultedSubStatus));

    private static readonly string FaultedSubStatus = WorkflowSubStatus.Faulted.ToString();

    // A trigger row without a schedule (an event trigger, or a one-off trigger that has fired) keeps no timer.
    private async Task<IReadOnlySet<string>> TriggersAmongAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.Triggers.AsNoTracking().Where(t => ids.Contains(t.Id) && t.Schedule != null).Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }
}
