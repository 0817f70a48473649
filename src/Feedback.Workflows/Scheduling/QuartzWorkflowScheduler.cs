using System.Globalization;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Feedback.Workflows.Scheduling;

/// <summary>
/// <see cref="IWorkflowScheduler"/> on Quartz.NET: one Quartz trigger per bookmark (group <c>bookmarks</c>) or
/// published trigger (group <c>triggers</c>), named by its id, firing one of two durable jobs.
/// </summary>
/// <remarks>
/// <para>
/// Scheduling first inserts with <see cref="TriggerConflict.Throw"/>, which (with the store's <c>LockOnInsert</c> off)
/// takes no cluster-wide lock: the common case, a new timer, costs no wait on other hosts' inserts. When the key
/// exists, or another process inserted it at the same moment (a primary-key violation), it stores with
/// <see cref="TriggerConflict.Keep"/>: the job store decides under its own lock whether the key exists, so any number
/// of processes may schedule the same id at once and exactly one trigger is stored. Keep rather than Replace because
/// re-scheduling an existing id is the normal case (start-up repair runs on every node): replacing would restart an
/// interval trigger's phase (a start-now interval would fire at every restart) and would discard a retry the
/// trigger is waiting on. A kept trigger whose stored schedule differs from the one asked for is then replaced, so a
/// changed schedule still takes effect; two processes asking for different schedules at once leave the last writer's.
/// </para>
/// <para>
/// Caveats, all harmless because the handlers are idempotent: a one-shot trigger whose firing has already begun
/// counts as absent to Keep, so scheduling it again stores a second firing; listing leaves out triggers that will never
/// fire again (COMPLETE, ERROR) so that repair re-creates them; and listing can miss a firing Quartz is re-running after
/// a node failure or shutdown, which runs under a recovery trigger in Quartz's own group.
/// </para>
/// <para>
/// Times are UTC. Cron expressions are Quartz syntax with a seconds field
/// (<c>sec min hour day-of-month month day-of-week [year]</c>, e.g. <c>0 0/15 * * * ?</c>), evaluated in UTC.
/// Missed firings (scheduler down or overloaded past the misfire threshold) fire once as soon as possible, then the
/// schedule resumes; an interval re-anchors at that catch-up firing.
/// </para>
/// <para>
/// Store failures surface as Quartz's <see cref="SchedulerException"/> (a <see cref="JobPersistenceException"/> for the
/// database); the bookmark or trigger row already committed stays the source of truth, and start-up repair re-creates
/// timers that were never stored.
/// </para>
/// </remarks>
internal sealed class QuartzWorkflowScheduler : IWorkflowScheduler
{
    /// <summary>Trigger group of bookmark timers.</summary>
    internal const string BookmarkGroup = "bookmarks";
    /// <summary>Trigger group of published start triggers.</summary>
    internal const string TriggerGroup = "triggers";

    internal const string BookmarkIdKey = "bookmarkId";
    internal const string WorkflowInstanceIdKey = "workflowInstanceId";
    internal const string TriggerIdKey = "triggerId";
    /// <summary>Canonical text of the requested schedule, compared when a trigger is kept to detect a changed schedule.</summary>
    internal const string ScheduleKey = "schedule";

    /// <summary>Durable job that resumes bookmarks.</summary>
    internal static readonly JobKey ResumeBookmarkJobKey = new("resume-bookmark", "feedback-workflows");
    /// <summary>Durable job that starts instances from triggers.</summary>
    internal static readonly JobKey StartFromTriggerJobKey = new("start-from-trigger", "feedback-workflows");

    private readonly ISchedulerFactory schedulerFactory;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<QuartzWorkflowScheduler> logger;

    public QuartzWorkflowScheduler(ISchedulerFactory schedulerFactory, TimeProvider timeProvider, ILogger<QuartzWorkflowScheduler> logger)
    {
        this.schedulerFactory = schedulerFactory;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    /// <inheritdoc />
    public Task ScheduleBookmarkAsync(string bookmarkId, string workflowInstanceId, DateTimeOffset resumeAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bookmarkId);
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowInstanceId);

        var schedule = "at=" + Format(resumeAt) + ";instance=" + workflowInstanceId;
        // A resume time in the past is not an error: the trigger's first (and only) firing is overdue and fires now.
        var trigger = TriggerBuilder.Create()
            .WithIdentity(bookmarkId, BookmarkGroup)
            .ForJob(ResumeBookmarkJobKey)
            .UsingJobData(BookmarkIdKey, bookmarkId)
            .UsingJobData(WorkflowInstanceIdKey, workflowInstanceId)
            .UsingJobData(ScheduleKey, schedule)
            .StartAt(resumeAt)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        return StoreAsync(trigger, schedule, cancellationToken);
    }

    /// <inheritdoc />
    public Task UnscheduleBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bookmarkId);
        return UnscheduleAsync(new TriggerKey(bookmarkId, BookmarkGroup), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One call to the job store, which takes its cluster-wide trigger lock once for the whole batch.</remarks>
    public async Task UnscheduleBookmarksAsync(IReadOnlyCollection<string> bookmarkIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bookmarkIds);
        if (bookmarkIds.Count == 0) return;
        var keys = bookmarkIds.Select(id => new TriggerKey(id, BookmarkGroup)).ToList();
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var removed = await scheduler.UnscheduleJobs(keys, cancellationToken).ConfigureAwait(false);
        logger.LogDebug("Unscheduled {Removed} of {Asked} bookmark timers", removed.Count, keys.Count);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">
    /// The schedule sets none of At, Interval and Cron, sets both Interval and Cron, has a non-positive interval, or
    /// has a cron expression that is not valid Quartz syntax or never fires again.
    /// </exception>
    public Task ScheduleTriggerAsync(string triggerId, TriggerSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(triggerId);
        ArgumentNullException.ThrowIfNull(schedule);

        var builder = TriggerBuilder.Create()
            .WithIdentity(triggerId, TriggerGroup)
            .ForJob(StartFromTriggerJobKey)
            .UsingJobData(TriggerIdKey, triggerId);
        var description = DescribeSchedule(schedule, builder, timeProvider.GetUtcNow());
        var trigger = builder.UsingJobData(ScheduleKey, description).Build();
        return StoreAsync(trigger, description, cancellationToken);
    }

    /// <inheritdoc />
    public Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(triggerId);
        return UnscheduleAsync(new TriggerKey(triggerId, TriggerGroup), cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken) =>
        ListAsync(BookmarkGroup, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken) =>
        ListAsync(TriggerGroup, cancellationToken);

    /// <inheritdoc />
    public Task<ScheduledIdPage> ListBookmarkTimersAsync(int skip, int take, CancellationToken cancellationToken) =>
        PageAsync(BookmarkGroup, skip, take, cancellationToken);

    /// <inheritdoc />
    public Task<ScheduledIdPage> ListTriggerTimersAsync(int skip, int take, CancellationToken cancellationToken) =>
        PageAsync(TriggerGroup, skip, take, cancellationToken);

    /// <summary>
    /// Applies <paramref name="schedule"/> to <paramref name="builder"/> and returns its canonical text; the text leaves
    /// out an implicit "now" so that re-scheduling an unchanged start-now interval is recognised as unchanged.
    /// </summary>
    private static string DescribeSchedule(TriggerSchedule schedule, TriggerBuilder<IJob> builder, DateTimeOffset now)
    {
        if (schedule.Interval is not null && schedule.Cron is not null)
            throw new ArgumentException("A trigger schedule sets Interval or Cron, not both.", nameof(schedule));

        var from = schedule.At is { } at ? ";from=" + Format(at) : "";
        if (schedule.Interval is { } interval)
        {
            if (interval < TimeSpan.FromMilliseconds(1))
                throw new ArgumentException($"Trigger interval {interval} is not positive.", nameof(schedule));
            if (schedule.At is { } start) builder.StartAt(start); else builder.StartNow();
            builder.WithSimpleSchedule(s => s
                .WithInterval(interval)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
            return "interval=" + interval.ToString("c", CultureInfo.InvariantCulture) + from;
        }

        if (schedule.Cron is { } cron)
        {
            if (!CronExpression.TryParse(cron, out var expression))
                throw new ArgumentException(
                    $"'{cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year], e.g. '0 0/15 * * * ?').",
                    nameof(schedule));
            var notBefore = schedule.At is { } cronStart && cronStart > now ? cronStart : now;
            if (expression.WithTimeZone(TimeZoneInfo.Utc).GetNextValidTimeAfter(notBefore) is null)
                throw new ArgumentException($"Cron expression '{cron}' never fires after {notBefore:O}.", nameof(schedule));
            if (schedule.At is { } start) builder.StartAt(start); else builder.StartNow();
            builder.WithSchedule(CronScheduleBuilder.Create(cron)
                .InTimeZone(TimeZoneInfo.Utc)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed));
            return "cron=" + cron + from;
        }

        if (schedule.At is { } once)
        {
            builder.StartAt(once).WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow));
            return "at=" + Format(once);
        }

        throw new ArgumentException("A trigger schedule sets At, Interval or Cron; this one sets none.", nameof(schedule));
    }

    private async Task StoreAsync(ITrigger trigger, string schedule, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        // Most keys are new (a bookmark's timer is stored once, when its step commits): insert those without the job
        // store's cluster-wide lock, and take the locked Keep path only when the key turns out to exist.
        try
        {
            var inserted = await scheduler.ScheduleTrigger(trigger, TriggerConflict.Throw, cancellationToken).ConfigureAwait(false);
            logger.LogDebug("Scheduled {TriggerKey} ({Schedule}), next fire {NextFireTime:O}", trigger.Key, schedule, inserted.NextFireTimeUtc);
            return;
        }
        catch (ObjectAlreadyExistsException)
        {
            // Stored before: Keep below decides, under the lock, whether to leave or correct it.
        }
        catch (JobPersistenceException e) when (IsDuplicateKey(e))
        {
            // Another process inserted the same key between Quartz's existence check and its insert.
        }

        var result = await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, cancellationToken).ConfigureAwait(false);
        if (result.Outcome != ScheduleOutcome.Kept)
        {
            logger.LogDebug("Scheduled {TriggerKey} ({Schedule}), next fire {NextFireTime:O}", trigger.Key, schedule, result.NextFireTimeUtc);
            return;
        }

        var existing = await scheduler.GetTrigger(trigger.Key, cancellationToken).ConfigureAwait(false);
        // Gone since it was kept: it fired and finished, or someone unscheduled it; neither is ours to undo.
        if (existing is null)
            return;
        if (existing.JobDataMap.TryGetValue(ScheduleKey, out var stored) && stored as string == schedule)
        {
            // Asked again for a timer Quartz has parked in ERROR (it gave up storing its firings): the caller's intent
            // is that it fires, so hand it back to the scheduler rather than report it scheduled and leave it dead.
            if (await scheduler.GetTriggerState(trigger.Key, cancellationToken).ConfigureAwait(false) == TriggerState.Error)
            {
                await scheduler.ResetTriggerFromErrorState(trigger.Key, cancellationToken).ConfigureAwait(false);
                logger.LogWarning("{TriggerKey} was in the ERROR state and has been reset to fire again", trigger.Key);
            }
            return;
        }

        result = await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Schedule of {TriggerKey} changed to {Schedule}, next fire {NextFireTime:O}", trigger.Key, schedule, result.NextFireTimeUtc);
    }

    private static bool IsDuplicateKey(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is System.Data.Common.DbException { SqlState: "23505" }) return true;
        return false;
    }

    private async Task UnscheduleAsync(TriggerKey key, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        // False means there was nothing to remove, which the contract treats as done.
        if (await scheduler.UnscheduleJob(key, cancellationToken).ConfigureAwait(false))
            logger.LogDebug("Unscheduled {TriggerKey}", key);
    }

    private async Task<IReadOnlySet<string>> ListAsync(string group, CancellationToken cancellationToken)
    {
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var page = await scheduler.QueryTriggers(
            new TriggerQuery { Group = GroupMatcher<TriggerKey>.GroupEquals(group), Take = PagedQuery.All },
            cancellationToken).ConfigureAwait(false);
        // Complete and Error triggers never fire again; leaving them out lets start-up repair schedule those ids anew.
        return page.Items
            .Where(t => t.State is not (TriggerState.Complete or TriggerState.Error))
            .Select(t => t.Key.Name)
            .ToHashSet(StringComparer.Ordinal);
    }

    private async Task<ScheduledIdPage> PageAsync(string group, int skip, int take, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken).ConfigureAwait(false);
        // Quartz pages by position in (group, name) order; its API has no keyset form.
        var page = await scheduler.QueryTriggers(
            new TriggerQuery { Group = GroupMatcher<TriggerKey>.GroupEquals(group), Skip = skip, Take = take },
            cancellationToken).ConfigureAwait(false);
        return new ScheduledIdPage(
            page.Items.Select(t => new ScheduledId(t.Key.Name, t.State is not (TriggerState.Complete or TriggerState.Error))).ToList(),
            page.HasMore);
    }

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
