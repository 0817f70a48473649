namespace Feedback.Workflows.Scheduling;

/// <summary>
/// Durable timers. Every timer is a bookmark (or a published trigger) first, committed in the database; this
/// scheduler is asked afterwards to fire it, keyed by the bookmark or trigger id, so scheduling twice is harmless.
/// </summary>
public interface IWorkflowScheduler
{
    /// <summary>Fires <see cref="IScheduledWorkHandler.ResumeBookmarkAsync"/> for the bookmark at <paramref name="resumeAt"/>.</summary>
    Task ScheduleBookmarkAsync(string bookmarkId, string workflowInstanceId, DateTimeOffset resumeAt, CancellationToken cancellationToken);

    /// <summary>Removes the bookmark's timer if there is one.</summary>
    Task UnscheduleBookmarkAsync(string bookmarkId, CancellationToken cancellationToken);

    /// <summary>Removes the timers of several bookmarks, those that have one; a scheduler with a shared lock takes it once.</summary>
    async Task UnscheduleBookmarksAsync(IReadOnlyCollection<string> bookmarkIds, CancellationToken cancellationToken)
    {
        foreach (var id in bookmarkIds) await UnscheduleBookmarkAsync(id, cancellationToken);
    }

    /// <summary>Fires <see cref="IScheduledWorkHandler.StartFromTriggerAsync"/> on the trigger's schedule (once, every interval or by cron).</summary>
    Task ScheduleTriggerAsync(string triggerId, Runtime.TriggerSchedule schedule, CancellationToken cancellationToken);

    /// <summary>Removes the trigger's schedule if there is one.</summary>
    Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken);

    /// <summary>Ids of bookmarks that currently have a timer (used to repair missing ones at start-up).</summary>
    Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken);

    /// <summary>Ids of triggers that currently have a schedule.</summary>
    Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One page of the bookmark timers the scheduler holds, in ordinal id order, from position <paramref name="skip"/>;
    /// unlike <see cref="GetScheduledBookmarkIdsAsync"/> it also lists timers that will never fire again, as not live.
    /// </summary>
    async Task<ScheduledIdPage> ListBookmarkTimersAsync(int skip, int take, CancellationToken cancellationToken) =>
        ScheduledIdPage.Of(await GetScheduledBookmarkIdsAsync(cancellationToken), skip, take);

    /// <summary>One page of the trigger schedules the scheduler holds, like <see cref="ListBookmarkTimersAsync"/>.</summary>
    async Task<ScheduledIdPage> ListTriggerTimersAsync(int skip, int take, CancellationToken cancellationToken) =>
        ScheduledIdPage.Of(await GetScheduledTriggerIdsAsync(cancellationToken), skip, take);
}

/// <summary>A scheduler entry: the bookmark or trigger id, and whether it can still fire.</summary>
public readonly record struct ScheduledId(string Id, bool Live);

/// <summary>One page of scheduler entries in ordinal id order; <paramref name="HasMore"/> when more follow.</summary>
public sealed record ScheduledIdPage(IReadOnlyList<ScheduledId> Items, bool HasMore)
{
    /// <summary>A page cut from a full listing (for schedulers that only list everything).</summary>
    public static ScheduledIdPage Of(IEnumerable<string> ids, int skip, int take)
    {
        var ordered = ids.Order(StringComparer.Ordinal).Skip(skip).Take(take + 1).Select(id => new ScheduledId(id, true)).ToList();
        return ordered.Count > take ? new ScheduledIdPage(ordered[..take], true) : new ScheduledIdPage(ordered, false);
    }
}

/// <summary>What a timer does when it fires; implemented by the runtime, called by the scheduler's jobs.</summary>
public interface IScheduledWorkHandler
{
    /// <summary>Resumes the bookmark if it still exists; a missing bookmark (already resumed, cancelled) is not an error.</summary>
    Task ResumeBookmarkAsync(string bookmarkId, string workflowInstanceId, CancellationToken cancellationToken);

    /// <summary>Starts a new instance of the trigger's definition version at the trigger activity, if the trigger still exists.</summary>
    Task StartFromTriggerAsync(string triggerId, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken);
}
