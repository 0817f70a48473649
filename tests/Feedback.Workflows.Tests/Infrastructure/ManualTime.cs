using Feedback.Workflows.Runtime;
using Feedback.Workflows.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>
/// Time a test moves by hand: the runtime's clock, the host's <see cref="TimeProvider"/> and a timer scheduler in one.
/// Timers the runtime schedules are kept here instead of in Quartz; <see cref="AdvanceAsync"/> fires every timer that
/// falls due, in order, each with the clock set to its own due time, so a timer fires exactly on time.
/// </summary>
public sealed class ManualTime : TimeProvider, IClock
{
    /// <summary>Monday 1 March 2027, 09:00 in Shanghai: the start of a working day, after any case the machine's clock made.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2027, 3, 1, 1, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly SemaphoreSlim _advancing = new(1, 1);
    private readonly Dictionary<string, (string InstanceId, DateTimeOffset At)> _bookmarks = new();
    private readonly Dictionary<string, (TriggerSchedule Schedule, DateTimeOffset Next)> _triggers = new();
    private DateTimeOffset _now;
    private IServiceProvider? _services;

    public ManualTime(DateTimeOffset? start = null) => _now = (start ?? DefaultStart).ToUniversalTime();

    public DateTimeOffset UtcNow { get { lock (_gate) return _now; } }

    public override DateTimeOffset GetUtcNow() => UtcNow;

    /// <summary>The scheduler to register as <see cref="IWorkflowScheduler"/>.</summary>
    public IWorkflowScheduler Scheduler => new ManualScheduler(this);

    /// <summary>Registers this clock and scheduler in a host's services (last registration wins).</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IClock>(this);
        services.AddSingleton<TimeProvider>(this);
        services.AddSingleton(sp =>
        {
            _services = sp;
            return Scheduler;
        });
    }

    /// <summary>When the timer of a bookmark is due, or null when it has none.</summary>
    public DateTimeOffset? TimerOf(string bookmarkId) { lock (_gate) return _bookmarks.TryGetValue(bookmarkId, out var t) ? t.At : null; }

    /// <summary>How many bookmark timers are waiting.</summary>
    public int PendingTimers { get { lock (_gate) return _bookmarks.Count; } }

    /// <summary>Moves time forward, firing every timer due up to the new time in order of due time.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "Time only moves forward.");
        await AdvanceToAsync(UtcNow + by);
    }

    /// <summary>Moves time to <paramref name="until"/>, firing every timer due by then.</summary>
    public async Task AdvanceToAsync(DateTimeOffset until)
    {
        until = until.ToUniversalTime(); // the runtime's clock is UTC, as PostgreSQL stores it
        await _advancing.WaitAsync();
        try
        {
            while (NextDue(until) is { } due)
            {
                lock (_gate) _now = due.At > _now ? due.At : _now;
                var handler = (_services ?? throw new InvalidOperationException("ManualTime is not registered in a started host."))
                    .GetRequiredService<IScheduledWorkHandler>();
                if (due.BookmarkId is { } bookmark) await handler.ResumeBookmarkAsync(bookmark, due.InstanceId!, CancellationToken.None);
                else await handler.StartFromTriggerAsync(due.TriggerId!, due.At, CancellationToken.None);
            }
            lock (_gate) _now = until > _now ? until : _now;
        }
        finally { _advancing.Release(); }
    }

    /// <summary>The earliest timer due by <paramref name="until"/>, taken off the list (a trigger moves to its next firing).</summary>
    private Due? NextDue(DateTimeOffset until)
    {
        lock (_gate)
        {
            var bookmark = _bookmarks.Where(b => b.Value.At <= until).OrderBy(b => b.Value.At).ThenBy(b => b.Key, StringComparer.Ordinal).FirstOrDefault();
            var trigger = _triggers.Where(t => t.Value.Next <= until).OrderBy(t => t.Value.Next).FirstOrDefault();
            if (bookmark.Key is null && trigger.Key is null) return null;
            if (bookmark.Key is not null && (trigger.Key is null || bookmark.Value.At <= trigger.Value.Next))
            {
                _bookmarks.Remove(bookmark.Key);
                return new Due(bookmark.Value.At, bookmark.Key, bookmark.Value.InstanceId, null);
            }
            var (schedule, at) = trigger.Value;
            var next = Following(schedule, at);
            if (next is null) _triggers.Remove(trigger.Key); else _triggers[trigger.Key] = (schedule, next.Value);
            return new Due(at, null, null, trigger.Key);
        }
    }

    private static DateTimeOffset? Following(TriggerSchedule schedule, DateTimeOffset after) =>
        schedule.Interval is { } interval ? after + interval
        : schedule.Cron is { } cron ? new Quartz.CronExpression(cron).WithTimeZone(TimeZoneInfo.Utc).GetNextValidTimeAfter(after)
        : null;

    private sealed record Due(DateTimeOffset At, string? BookmarkId, string? InstanceId, string? TriggerId);

    /// <summary>The runtime's scheduler interface over this clock's timer list.</summary>
    private sealed class ManualScheduler(ManualTime time) : IWorkflowScheduler
    {
        public Task ScheduleBookmarkAsync(string bookmarkId, string workflowInstanceId, DateTimeOffset resumeAt, CancellationToken cancellationToken)
        {
            lock (time._gate) time._bookmarks[bookmarkId] = (workflowInstanceId, resumeAt);
            return Task.CompletedTask;
        }

        public Task UnscheduleBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            lock (time._gate) time._bookmarks.Remove(bookmarkId);
            return Task.CompletedTask;
        }

        public Task ScheduleTriggerAsync(string triggerId, TriggerSchedule schedule, CancellationToken cancellationToken)
        {
            lock (time._gate)
            {
                if (time._triggers.ContainsKey(triggerId)) return Task.CompletedTask;
                var first = schedule.At ?? (schedule.Interval is { } i ? time._now + i : Following(schedule, time._now));
                if (first is { } at) time._triggers[triggerId] = (schedule, at);
            }
            return Task.CompletedTask;
        }

        public Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken)
        {
            lock (time._gate) time._triggers.Remove(triggerId);
            return Task.CompletedTask;
        }

        public Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken)
        {
            lock (time._gate) return Task.FromResult<IReadOnlySet<string>>(time._bookmarks.Keys.ToHashSet());
        }

        public Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken)
        {
            lock (time._gate) return Task.FromResult<IReadOnlySet<string>>(time._triggers.Keys.ToHashSet());
        }
    }
}
