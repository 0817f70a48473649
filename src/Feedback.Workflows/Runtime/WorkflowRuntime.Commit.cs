using System.Text.Json;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime;

// Cancel, retry, and the one place where a burst's changes are written.
public sealed partial class WorkflowRuntime
{
    /// <summary>Cancels a running instance: its bookmarks and timers are removed.</summary>
    /// <exception cref="WorkflowInstanceNotFoundException">No such instance.</exception>
    /// <exception cref="WorkflowInstanceStateException">It already finished.</exception>
    public Task<WorkflowState> CancelAsync(string instanceId, CancellationToken cancellationToken) =>
        UpdateLockedAsync(instanceId, (model, state) =>
        {
            if (state.Status == WorkflowStatus.Finished && state.SubStatus != WorkflowSubStatus.Faulted)
                throw new WorkflowInstanceStateException($"Instance '{instanceId}' is already {state.SubStatus}.");
            return executor.CancelAsync(model, state, services, cancellationToken);
        }, cancellationToken);

    /// <summary>Runs the faulted activities of an instance again.</summary>
    /// <exception cref="WorkflowInstanceNotFoundException">No such instance.</exception>
    /// <exception cref="WorkflowInstanceStateException">It has no incident to retry.</exception>
    public async Task<WorkflowState> RetryAsync(string instanceId, CancellationToken cancellationToken)
    {
        var wasFaulted = false;
        var state = await UpdateLockedAsync(instanceId, (model, state) =>
        {
            if (!state.ActivityInstances.Values.Any(a => a.Status == ActivityStatus.Faulted))
                throw new WorkflowInstanceStateException($"Instance '{instanceId}' has no faulted activity to retry.");
            wasFaulted = state.SubStatus == WorkflowSubStatus.Faulted;
            return executor.RetryAsync(model, state, services, cancellationToken);
        }, cancellationToken);
        // A faulted instance keeps no timers (see AfterCommitAsync and TimerReconciler); the ones still waiting count again.
        if (wasFaulted && state.SubStatus != WorkflowSubStatus.Faulted)
        {
            // The fault queued these timers' removal; scheduled before that removal ran, they would be removed after.
            await timerRemovals.FlushAsync(cancellationToken);
            await ScheduleTimersAsync(state.Id, state.Bookmarks, cancellationToken);
        }
        return state;
    }

    private async Task<WorkflowState> UpdateLockedAsync(string instanceId, Func<Model.WorkflowModel, WorkflowState, Task<WorkflowExecutionContext>> change, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await LockInstanceAsync(db, instanceId, cancellationToken);
        var state = ReadState(record);
        var model = await FindVersionAsync(db, record.DefinitionVersionId, cancellationToken);
        var context = await change(model, state);
        await WriteAsync(db, context, record, claimedBookmarkId: null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await AfterCommitAsync(context, cancellationToken);
        return state;
    }

    // The locking SQL is run as written (not composed into a sub-query), and the id is the key: one row or none.
    private static async Task<WorkflowInstanceRecord> LockInstanceAsync(WorkflowDbContext db, string instanceId, CancellationToken cancellationToken) =>
        (await db.Instances.FromSqlRaw(db.Dialect.LockInstanceSql, instanceId).AsAsyncEnumerable().FirstOrDefaultAsync(cancellationToken))
        ?? throw new WorkflowInstanceNotFoundException(instanceId);

    private async Task<Model.WorkflowModel> FindVersionAsync(WorkflowDbContext db, string versionId, CancellationToken cancellationToken) =>
        await definitions.FindModelByIdAsync(db, versionId, cancellationToken)
        ?? throw new WorkflowInstanceStateException($"The definition version '{versionId}' this instance runs on was deleted.");

    internal static WorkflowState ReadState(WorkflowInstanceRecord record) =>
        JsonSerializer.Deserialize<WorkflowState>(record.State, ElsaJson.Options)
        ?? throw new JsonException($"Instance '{record.Id}' has an empty state.");

    private static WorkflowInstanceRecord NewRecord(WorkflowState state)
    {
        var record = new WorkflowInstanceRecord
        {
            Id = state.Id, DefinitionId = state.DefinitionId, DefinitionVersionId = state.DefinitionVersionId,
            Version = state.DefinitionVersion, State = "", CreatedAt = state.CreatedAt,
        };
        Fill(record, state);
        return record;
    }

    private static void Fill(WorkflowInstanceRecord record, WorkflowState state)
    {
        record.Status = state.Status.ToString();
        record.SubStatus = state.SubStatus.ToString();
        record.CorrelationId = state.CorrelationId;
        record.Name = state.Name;
        record.IncidentCount = state.Incidents.Count;
        record.UpdatedAt = state.UpdatedAt;
        record.FinishedAt = state.FinishedAt;
        record.State = JsonSerializer.Serialize(state, ElsaJson.Options);
    }

    /// <summary>Writes instance, bookmarks, journal, outbox and participants' data of one burst; the caller owns the transaction.</summary>
    private async Task WriteAsync(WorkflowDbContext db, WorkflowExecutionContext context, WorkflowInstanceRecord? record, string? claimedBookmarkId, CancellationToken cancellationToken)
    {
        var state = context.State;
        if (record is null) db.Instances.Add(NewRecord(state));
        else Fill(record, state);

        var removed = context.RemovedBookmarks.Select(b => b.Id).Where(id => id != claimedBookmarkId).ToList();
        if (removed.Count > 0) await db.Bookmarks.Where(b => removed.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
        db.Bookmarks.AddRange(context.AddedBookmarks.Select(b => new BookmarkRecord
        {
            Id = b.Id, WorkflowInstanceId = state.Id, Name = b.Name, Hash = b.Hash, ActivityId = b.ActivityId,
            ActivityInstanceId = b.ActivityInstanceId, CorrelationId = state.CorrelationId,
            Payload = b.Payload?.ToJsonString(), ResumeAt = b.ResumeAt, CreatedAt = b.CreatedAt,
        }));
        var journal = context.Journal.Select(j => new JournalRecord
        {
            Id = j.Id, WorkflowInstanceId = j.WorkflowInstanceId, ActivityInstanceId = j.ActivityInstanceId, ActivityId = j.ActivityId,
            ActivityType = j.ActivityType, ActivityTypeVersion = j.ActivityTypeVersion, ActivityName = j.ActivityName, NodeId = j.NodeId,
            Timestamp = j.Timestamp, Sequence = j.Sequence, EventName = j.EventName, Message = j.Message, Payload = j.Payload?.ToJsonString(),
        }).ToList();
        // On PostgreSQL the journal (a dozen rows per burst) is one statement instead of one per row.
        var journalAsOneStatement = PostgresRows.Applies(db);
        if (!journalAsOneStatement) db.Journal.AddRange(journal);
        // An event counts as raised when its step ends (UpdatedAt): every bookmark this step left waiting is there
        // for it, and a bookmark armed later, even by a burst the event itself resumed, is not.
        foreach (var message in context.Outbox.Where(o => o.Type == Activities.Events.PublishEvent.OutboxType))
            message.Payload[Activities.Events.PublishEvent.RaisedAtKey] = state.UpdatedAt;
        db.Outbox.AddRange(context.Outbox.Select(o => new OutboxRecord
        {
            Id = o.Id, Type = o.Type, Payload = o.Payload.ToJsonString(), WorkflowInstanceId = o.WorkflowInstanceId,
            ActivityInstanceId = o.ActivityInstanceId, CreatedAt = o.CreatedAt, NextAttemptAt = o.CreatedAt,
        }));
        await db.SaveChangesAsync(cancellationToken);
        if (journalAsOneStatement) await PostgresRows.InsertAsync(db, journal, cancellationToken);
        if (context.CommitItems.Count == 0) return;
        await using var scope = new CommitScope(db.Database.GetDbConnection(), db.Database.CurrentTransaction!.GetDbTransaction(),
            db.Dialect.SupportsRowLocks ? DatabaseProvider.PostgreSql : DatabaseProvider.Sqlite, context);
        foreach (var participant in participants) await participant.CommitAsync(scope, cancellationToken);
        await scope.FlushAsync(cancellationToken);
    }

    /// <summary>Timers and outbox wake-up: work that follows a commit and is repaired by reconciliation if lost.</summary>
    private async Task AfterCommitAsync(WorkflowExecutionContext context, CancellationToken cancellationToken)
    {
        if (context.Outbox.Count > 0) outboxSignal.Notify();
        // Removing a timer takes the scheduler's cluster-wide lock; batched off the request path, it no longer makes
        // every finishing step wait its turn on that lock. A removed bookmark's timer is harmless until then.
        timerRemovals.Enqueue(context.RemovedBookmarks.Where(b => b.ResumeAt is not null).Select(b => b.Id));
        if (context.State.SubStatus == WorkflowSubStatus.Faulted)
        {
            // The bookmarks stay for a retry, but a timer of a faulted instance could only fire and fail.
            timerRemovals.Enqueue(context.State.Bookmarks.Where(b => b.ResumeAt is not null).Select(b => b.Id));
            return;
        }
        await ScheduleTimersAsync(context.State.Id, context.AddedBookmarks, cancellationToken);
    }

    private async Task ScheduleTimersAsync(string instanceId, IEnumerable<Bookmark> bookmarks, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var bookmark in bookmarks.Where(b => b.ResumeAt is not null))
                await scheduler.ScheduleBookmarkAsync(bookmark.Id, instanceId, bookmark.ResumeAt!.Value, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The commit stands; the timer reconciler schedules timers whose bookmarks lack one.
            logger.LogError(e, "Instance {InstanceId}: scheduling timers after commit failed; the reconciler will repair them", instanceId);
        }
    }
}
