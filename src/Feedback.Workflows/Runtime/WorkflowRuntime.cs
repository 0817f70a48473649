using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Activities.Events;
using Feedback.Workflows.Activities.Tasks;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime;

/// <summary>What to start: a definition (published version unless told otherwise), its input and correlation.</summary>
public sealed record StartWorkflowRequest
{
    public required string DefinitionId { get; init; }
    public VersionOptions VersionOptions { get; init; } = VersionOptions.Published;
    /// <summary>A specific version id; overrides <see cref="DefinitionId"/> and <see cref="VersionOptions"/>.</summary>
    public string? DefinitionVersionId { get; init; }
    public string? CorrelationId { get; init; }
    public IReadOnlyDictionary<string, JsonNode?>? Input { get; init; }
    public string? TriggerActivityId { get; init; }
    /// <summary>
    /// A caller-chosen id makes the start idempotent: starting or dispatching twice with one id, even on two hosts at
    /// once, creates one instance, and each call returns it.
    /// </summary>
    public string? InstanceId { get; init; }
    /// <summary>
    /// Items for the <see cref="ICommitParticipant"/>s, enlisted before the first activity runs: a row created together
    /// with the instance (such as the case a workflow handles) commits in the same transaction as its first burst, and
    /// activities of that burst can find it. Only <see cref="WorkflowRuntime.StartAsync"/> takes them.
    /// </summary>
    public IReadOnlyList<object>? CommitItems { get; init; }
}

/// <summary>
/// Starts, resumes, retries and cancels instances durably. Each operation runs one burst and commits instance state,
/// bookmarks, journal and outbox in one transaction; timers are scheduled after the commit, and removed in the
/// background by <see cref="TimerRemovals"/> (both repaired by <see cref="TimerReconciler"/> if lost).
/// </summary>
public sealed partial class WorkflowRuntime(
    IDbContextFactory<WorkflowDbContext> dbFactory,
    WorkflowDefinitionStore definitions,
    WorkflowExecutor executor,
    IWorkflowScheduler scheduler,
    TimerRemovals timerRemovals,
    InstanceLocks locks,
    OutboxSignal outboxSignal,
    DispatchSignal dispatchSignal,
    IServiceProvider services,
    IEnumerable<ICommitParticipant> participants,
    ILogger<WorkflowRuntime> logger) : IScheduledWorkHandler
{
    /// <summary>Starts an instance and runs it until it blocks or ends, in the caller's request.</summary>
    /// <exception cref="WorkflowNotFoundException">No matching definition version.</exception>
    /// <exception cref="UnknownTriggerActivityException">The version has no activity <see cref="StartWorkflowRequest.TriggerActivityId"/>.</exception>
    public async Task<WorkflowState> StartAsync(StartWorkflowRequest request, CancellationToken cancellationToken)
    {
        var model = await ResolveAsync(request, cancellationToken);
        var instanceId = request.InstanceId ?? Ids.New();
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (request.InstanceId is not null && await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == request.InstanceId, cancellationToken) is { } existing)
            return ReadState(existing);
        // Made once the step may run, not before a wait for a step slot: the instance's creation time is when it began.
        var state = executor.CreateState(model, instanceId, request.CorrelationId, request.Input);
        var context = await executor.StartAsync(model, state, request.TriggerActivityId, services, cancellationToken, request.CommitItems);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await WriteAsync(db, context, record: null, claimedBookmarkId: null, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (request.InstanceId is not null && DuplicateKey.In(e))
        {
            // Another host started the same id between the look-up above and this insert (the in-process lock covers
            // only this host). Its instance stands and this burst is dropped, as a start after it would have been.
            await tx.DisposeAsync(); // rolls back whatever state the failure left the transaction in
            if (await ExistingStateAsync(request.InstanceId, cancellationToken) is { } winner) return winner;
            throw; // another key of this step's rows (a domain row of a commit participant): not the id's race
        }
        await AfterCommitAsync(context, cancellationToken);
        return state;
    }

    /// <summary>The stored state of an instance, or null when there is none.</summary>
    private async Task<WorkflowState?> ExistingStateAsync(string instanceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken) is { } existing ? ReadState(existing) : null;
    }

    /// <summary>Stores a new instance as Pending and returns at once; a background worker on any host runs it.</summary>
    /// <exception cref="ArgumentException">The request carries <see cref="StartWorkflowRequest.CommitItems"/>, which a dispatch cannot keep.</exception>
    /// <exception cref="UnknownTriggerActivityException">The version has no activity <see cref="StartWorkflowRequest.TriggerActivityId"/>.</exception>
    public async Task<WorkflowState> DispatchAsync(StartWorkflowRequest request, CancellationToken cancellationToken)
    {
        if (request.CommitItems is { Count: > 0 })
            throw new ArgumentException("A dispatched start runs later on any host; its commit items would be lost. Use StartAsync.", nameof(request));
        var model = await ResolveAsync(request, cancellationToken);
        if (request.InstanceId is not null && await ExistingStateAsync(request.InstanceId, cancellationToken) is { } existing) return existing;
        var state = executor.CreateState(model, request.InstanceId ?? Ids.New(), request.CorrelationId, request.Input);
        state.StartActivityId = request.TriggerActivityId;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Instances.Add(NewRecord(state));
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateException e) when (request.InstanceId is not null && DuplicateKey.In(e))
        {
            // Dispatched at the same moment elsewhere: one instance, as for a start.
            if (await ExistingStateAsync(request.InstanceId, cancellationToken) is { } winner) return winner;
            throw;
        }
        dispatchSignal.Notify();
        return state;
    }

    /// <summary>Runs a dispatched (Pending) instance if no other worker has taken it; returns false when there was nothing to do.</summary>
    public async Task<bool> RunPendingAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await db.Instances
            .FromSqlRaw(db.Dialect.ClaimPendingInstanceSql, instanceId)
            .AsAsyncEnumerable().FirstOrDefaultAsync(cancellationToken);
        if (record is null) return false;
        var state = ReadState(record);
        var model = await FindVersionAsync(db, record.DefinitionVersionId, cancellationToken);
        var trigger = state.StartActivityId;
        state.StartActivityId = null;
        var context = await executor.StartAsync(model, state, trigger, services, cancellationToken);
        await WriteAsync(db, context, record, claimedBookmarkId: null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await AfterCommitAsync(context, cancellationToken);
        return true;
    }

    /// <summary>Resumes one bookmark. Exactly one caller wins a given bookmark, across all hosts.</summary>
    /// <exception cref="BookmarkNotWaitingException">Already resumed (perhaps concurrently), cancelled, or unknown.</exception>
    /// <exception cref="WorkflowInstanceStateException">The instance is not running (faulted, cancelled, finished).</exception>
    public async Task<WorkflowState> ResumeAsync(string bookmarkId, IReadOnlyDictionary<string, JsonNode?>? input, CancellationToken cancellationToken)
    {
        string instanceId;
        await using (var lookup = await dbFactory.CreateDbContextAsync(cancellationToken))
            instanceId = await lookup.Bookmarks.AsNoTracking().Where(b => b.Id == bookmarkId).Select(b => b.WorkflowInstanceId).FirstOrDefaultAsync(cancellationToken)
                ?? throw new BookmarkNotWaitingException(bookmarkId);
        return await ResumeAsync(bookmarkId, instanceId, input, cancellationToken);
    }

    /// <summary>
    /// Resumes one bookmark of an instance the caller already knows (a task or a timer carries it), which saves looking
    /// the bookmark up first. A bookmark that is not waiting in that instance, or an instance that is gone, is not waiting.
    /// </summary>
    /// <exception cref="BookmarkNotWaitingException">Already resumed (perhaps concurrently), cancelled, unknown, or not that instance's.</exception>
    /// <exception cref="WorkflowInstanceStateException">The instance is not running (faulted, cancelled, finished).</exception>
    public async Task<WorkflowState> ResumeAsync(string bookmarkId, string instanceId, IReadOnlyDictionary<string, JsonNode?>? input, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        WorkflowInstanceRecord record;
        try { record = await LockInstanceAsync(db, instanceId, cancellationToken); }
        catch (WorkflowInstanceNotFoundException) { throw new BookmarkNotWaitingException(bookmarkId); }
        // Deleting the row is the claim: a second resume of the same bookmark, here or on another host, deletes nothing.
        if (await db.Bookmarks.Where(b => b.Id == bookmarkId && b.WorkflowInstanceId == instanceId).ExecuteDeleteAsync(cancellationToken) == 0)
            throw new BookmarkNotWaitingException(bookmarkId);
        var state = ReadState(record);
        if (state.Status != WorkflowStatus.Running || state.SubStatus == WorkflowSubStatus.Faulted)
            throw new WorkflowInstanceStateException($"Instance '{instanceId}' is {state.SubStatus}; it cannot be resumed.");
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == bookmarkId)
            ?? throw new WorkflowInstanceStateException($"Instance '{instanceId}' does not know bookmark '{bookmarkId}'; its state and bookmark table disagree.");
        var model = await FindVersionAsync(db, record.DefinitionVersionId, cancellationToken);
        var context = await executor.ResumeAsync(model, state, bookmark, input, services, cancellationToken);
        await WriteAsync(db, context, record, bookmarkId, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await AfterCommitAsync(context, cancellationToken);
        return state;
    }

    /// <summary>Completes a <c>RunTask</c> by its task id.</summary>
    /// <exception cref="BookmarkNotWaitingException">No task with that id is waiting.</exception>
    public async Task<WorkflowState> CompleteTaskAsync(string taskId, JsonNode? result, CancellationToken cancellationToken)
    {
        var hash = BookmarkHash.Compute(RunTask.Stimulus, RunTask.BookmarkPayload(taskId));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var bookmarkId = await db.Bookmarks.AsNoTracking().Where(b => b.Hash == hash).Select(b => b.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new BookmarkNotWaitingException($"task:{taskId}");
        return await ResumeAsync(bookmarkId, new Dictionary<string, JsonNode?> { [RunTask.ResultKey] = result }, cancellationToken);
    }

    /// <summary>What an event delivery did.</summary>
    public sealed record EventResult(IReadOnlyList<string> ResumedInstanceIds, IReadOnlyList<string> StartedInstanceIds);

    /// <summary>
    /// Delivers an event: resumes every matching waiting Event (filtered by correlation or instance) and, unless an
    /// instance is named, starts every published definition triggered by it. With a <paramref name="deliveryId"/>,
    /// delivering the same event again starts nothing new; with <paramref name="raisedAt"/>, it resumes only bookmarks
    /// created by then, so a repeat does not resume an instance that already took the event and waits for the next one.
    /// </summary>
    /// <exception cref="EventDeliveryException">Some receivers failed; every other one was still reached.</exception>
    public async Task<EventResult> TriggerEventAsync(string eventName, string? correlationId, string? workflowInstanceId, JsonNode? payload, string? deliveryId, DateTimeOffset? raisedAt, CancellationToken cancellationToken)
    {
        var hash = BookmarkHash.Compute(Event.Stimulus, Event.Payload(eventName));
        List<string> bookmarkIds;
        List<TriggerRecord> triggers = [];
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var query = db.Bookmarks.AsNoTracking().Where(b => b.Hash == hash);
            if (correlationId is not null) query = query.Where(b => b.CorrelationId == correlationId);
            if (workflowInstanceId is not null) query = query.Where(b => b.WorkflowInstanceId == workflowInstanceId);
            if (raisedAt is { } cutoff) query = query.Where(b => b.CreatedAt <= cutoff);
            bookmarkIds = await query.OrderBy(b => b.CreatedAt).Select(b => b.Id).ToListAsync(cancellationToken);
            if (workflowInstanceId is null)
                triggers = await db.Triggers.AsNoTracking().Where(t => t.Hash == hash).ToListAsync(cancellationToken);
        }
        var input = new Dictionary<string, JsonNode?> { [Event.PayloadKey] = payload };
        // One receiver's failure does not keep the event from the others; the failures are reported together at the
        // end, so that an outbox delivery is repeated, and the repeat skips what this one reached.
        var failures = new List<Exception>();
        var resumed = new List<string>();
        foreach (var id in bookmarkIds)
        {
            try { resumed.Add((await ResumeAsync(id, input, cancellationToken)).Id); }
            catch (Exception e) when (e is BookmarkNotWaitingException or WorkflowInstanceStateException)
            {
                logger.LogDebug("Event {EventName} skipped bookmark {BookmarkId}: {Reason}", eventName, id, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Event {EventName} failed to resume bookmark {BookmarkId}", eventName, id);
                failures.Add(e);
            }
        }
        var started = new List<string>();
        foreach (var trigger in triggers)
        {
            try
            {
                var state = await StartAsync(new StartWorkflowRequest
                {
                    DefinitionId = trigger.DefinitionId,
                    DefinitionVersionId = trigger.DefinitionVersionId,
                    TriggerActivityId = trigger.ActivityId,
                    CorrelationId = correlationId,
                    Input = input,
                    InstanceId = deliveryId is null ? null : DerivedId(deliveryId, trigger.Id),
                }, cancellationToken);
                started.Add(state.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Event {EventName} failed to start definition {DefinitionId} by trigger {TriggerId}", eventName, trigger.DefinitionId, trigger.Id);
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
            throw new EventDeliveryException($"Event '{eventName}' reached {resumed.Count + started.Count} receiver(s) but failed for {failures.Count}.", failures);
        return new EventResult(resumed, started);
    }

    async Task IScheduledWorkHandler.ResumeBookmarkAsync(string bookmarkId, string workflowInstanceId, CancellationToken cancellationToken)
    {
        try { await ResumeAsync(bookmarkId, workflowInstanceId, null, cancellationToken); }
        catch (Exception e) when (e is BookmarkNotWaitingException or WorkflowInstanceStateException)
        {
            // The bookmark is the source of truth: a timer whose bookmark is gone has nothing to do.
            logger.LogDebug("Timer for bookmark {BookmarkId} of {InstanceId} did nothing: {Reason}", bookmarkId, workflowInstanceId, e.Message);
        }
    }

    async Task IScheduledWorkHandler.StartFromTriggerAsync(string triggerId, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
    {
        TriggerRecord? trigger;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            trigger = await db.Triggers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == triggerId, cancellationToken);
        if (trigger is null)
        {
            logger.LogDebug("Trigger {TriggerId} fired but is no longer published", triggerId);
            return;
        }
        if (TriggerIndexer.ReadSchedule(trigger) is not { } schedule)
        {
            logger.LogDebug("Trigger {TriggerId} fired but has no schedule (a one-off trigger that already started its instance)", triggerId);
            return;
        }
        // A one-off trigger has a single firing, at its instant. A late firing of it (a misfire, or a timer re-created
        // by repair after Quartz deleted the fired one) is reported at the time it ran, so deriving the id from that
        // time started a new instance on every repair pass; derived from the instant, a repeat finds the first instance.
        var once = schedule is { At: not null, Interval: null, Cron: null };
        var firing = once ? schedule.At!.Value : scheduledFireTime;
        // One instance per firing, even if the scheduler delivers the same firing twice.
        await StartAsync(new StartWorkflowRequest
        {
            DefinitionId = trigger.DefinitionId,
            DefinitionVersionId = trigger.DefinitionVersionId,
            TriggerActivityId = trigger.ActivityId,
            InstanceId = DerivedId(trigger.Id, firing.UtcTicks.ToString()),
        }, cancellationToken);
        if (once) await SpendTriggerAsync(trigger.Id, cancellationToken);
    }

    /// <summary>
    /// Clears a fired one-off trigger's schedule, so that timer repair stops re-creating its timer (the row stays while
    /// its version is published; a repeat before this point still finds the instance it started).
    /// </summary>
    private async Task SpendTriggerAsync(string triggerId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Triggers.Where(t => t.Id == triggerId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Schedule, (string?)null), cancellationToken);
    }

    private async Task<WorkflowModel> ResolveAsync(StartWorkflowRequest request, CancellationToken cancellationToken)
    {
        var model = request.DefinitionVersionId is not null
            ? await definitions.FindModelByIdAsync(request.DefinitionVersionId, cancellationToken)
            : await definitions.FindModelAsync(request.DefinitionId, request.VersionOptions, cancellationToken);
        if (model is null)
            throw new WorkflowNotFoundException(request.DefinitionVersionId is not null
                ? $"No workflow definition version '{request.DefinitionVersionId}'."
                : $"Workflow definition '{request.DefinitionId}' has no {request.VersionOptions.Kind.ToLowerInvariant()} version.");
        // Checked before anything is stored: a dispatched instance with an unknown trigger could never start.
        if (request.TriggerActivityId is { } trigger && !model.Root.ById.ContainsKey(trigger))
            throw new UnknownTriggerActivityException($"Version {model.Version} of workflow '{model.DefinitionId}' has no activity '{trigger}' to start at.");
        return model;
    }

    private static string DerivedId(string a, string b) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(a + "|" + b)))[..16].ToLowerInvariant();
}
