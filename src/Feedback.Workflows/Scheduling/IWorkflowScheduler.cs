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

    /// <summary>Fires <see cref="IScheduledWorkHandler.StartFromTriggerAsync"/> on the trigger's schedule (once, every interval or by cron).</summary>
    Task ScheduleTriggerAsync(string triggerId, Runtime.TriggerSchedule schedule, CancellationToken cancellationToken);

    /// <summary>Removes the trigger's schedule if there is one.</summary>
    Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken);

    /// <summary>Ids of bookmarks that currently have a timer (used to repair missing ones at start-up).</summary>
    Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken);

    /// <summary>Ids of triggers that currently have a schedule.</summary>
    Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken);
}

/// <summary>What a timer does when it fires; implemented by the runtime, called by the scheduler's jobs.</summary>
public interface IScheduledWorkHandler
{
    /// <summary>Resumes the bookmark if it still exists; a missing bookmark (already resumed, cancelled) is not an error.</summary>
    Task ResumeBookmarkAsync(string bookmarkId, string workflowInstanceId, CancellationToken cancellationToken);

    /// <summary>Starts a new instance of the trigger's definition version at the trigger activity, if the trigger still exists.</summary>
    Task StartFromTriggerAsync(string triggerId, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken);
}
