using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>The periodic timer repair on PostgreSQL and the clustered Quartz store, reading both sides in small pages.</summary>
public sealed class TimerReconcilerTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Missing_timers_are_scheduled_and_orphans_removed_across_pages()
    {
        var ct = CancellationToken.None;
        await using var host = new TestHost(_db.ConnectionString);
        _ = host.Services; // starts the host, its migrations and its own start-up repair
        var scheduler = host.Services.GetRequiredService<IWorkflowScheduler>();
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        var dueAt = DateTimeOffset.UtcNow.AddDays(3);

        // Ordinal order interleaves the three kinds, so every page of two holds a mix: stored with a timer (k),
        // stored without one (m), and timers whose bookmark is gone (o).
        string[] stored = ["k1", "k3", "m2", "m4", "m6", "k5", "k7"];
        string[] withTimer = ["k1", "k3", "k5", "k7"];
        string[] orphans = ["l1", "l2", "n1", "o9"];
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.Bookmarks.AddRange(stored.Select(id => Timer(id, dueAt)));
            db.Bookmarks.Add(new BookmarkRecord { Id = "waiting", WorkflowInstanceId = "wf", Name = "Elsa.Event", Hash = "h", ActivityId = "a", ActivityInstanceId = "ai", CreatedAt = dueAt });
            await db.SaveChangesAsync(ct);
        }
        foreach (var id in withTimer.Concat(orphans)) await scheduler.ScheduleBookmarkAsync(id, "wf-" + id, dueAt, ct);

        var reconciler = new TimerReconciler(dbFactory, scheduler, NullLogger<TimerReconciler>.Instance) { PageSize = 2 };
        await reconciler.ReconcileAsync(ct);

        (await scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEquivalentTo(stored,
            "every timer bookmark has its trigger and no trigger outlives its bookmark; a bookmark without a due time gets none");
        (await reconciler.ReconcileAsync(ct)).Should().Be(new TimerRepair(0, 0), "a second pass finds nothing to do");
    }

    [Fact]
    public async Task A_timer_committed_while_the_pass_runs_is_not_taken_for_an_orphan()
    {
        var ct = CancellationToken.None;
        await using var host = new TestHost(_db.ConnectionString);
        var scheduler = host.Services.GetRequiredService<IWorkflowScheduler>();
        var dbFactory = host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        var dueAt = DateTimeOffset.UtcNow.AddDays(3);
        string[] ids = ["a", "b", "c", "d", "e"];
        // The pass reads the (empty) bookmark pages first; then, before it lists the scheduler, the timers are
        // committed and scheduled as a burst does it. The walk sees triggers without rows; the fresh read keeps them.
        var racing = new ListingHook(scheduler, async () =>
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                db.Bookmarks.AddRange(ids.Select(id => Timer(id, dueAt)));
                await db.SaveChangesAsync(ct);
            }
            foreach (var id in ids) await scheduler.ScheduleBookmarkAsync(id, "wf-" + id, dueAt, ct);
        });

        var repair = await new TimerReconciler(dbFactory, racing, NullLogger<TimerReconciler>.Instance) { PageSize = 2 }.ReconcileAsync(ct);

        repair.Should().Be(new TimerRepair(0, 0));
        (await scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEquivalentTo(ids);
    }

    private static BookmarkRecord Timer(string id, DateTimeOffset dueAt) => new()
    {
        Id = id, WorkflowInstanceId = "wf-" + id, Name = "Elsa.Delay", Hash = "h-" + id, ActivityId = "delay", ActivityInstanceId = "ai-" + id,
        ResumeAt = dueAt, CreatedAt = dueAt.AddDays(-3),
    };

    /// <summary>The real scheduler, running <paramref name="beforeFirstListing"/> once, just before its bookmark timers are first listed.</summary>
    private sealed class ListingHook(IWorkflowScheduler inner, Func<Task> beforeFirstListing) : IWorkflowScheduler
    {
        private int _listed;

        public Task ScheduleBookmarkAsync(string bookmarkId, string workflowInstanceId, DateTimeOffset resumeAt, CancellationToken cancellationToken) =>
            inner.ScheduleBookmarkAsync(bookmarkId, workflowInstanceId, resumeAt, cancellationToken);
        public Task UnscheduleBookmarkAsync(string bookmarkId, CancellationToken cancellationToken) => inner.UnscheduleBookmarkAsync(bookmarkId, cancellationToken);
        public Task ScheduleTriggerAsync(string triggerId, Feedback.Workflows.Runtime.TriggerSchedule schedule, CancellationToken cancellationToken) =>
            inner.ScheduleTriggerAsync(triggerId, schedule, cancellationToken);
        public Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken) => inner.UnscheduleTriggerAsync(triggerId, cancellationToken);
        public Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken) => inner.GetScheduledBookmarkIdsAsync(cancellationToken);
        public Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken) => inner.GetScheduledTriggerIdsAsync(cancellationToken);
        public Task<ScheduledIdPage> ListTriggerTimersAsync(int skip, int take, CancellationToken cancellationToken) =>
            inner.ListTriggerTimersAsync(skip, take, cancellationToken);

        public async Task<ScheduledIdPage> ListBookmarkTimersAsync(int skip, int take, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _listed, 1) == 0) await beforeFirstListing();
            return await inner.ListBookmarkTimersAsync(skip, take, cancellationToken);
        }
    }
}
