using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime;

// What happens to a dispatched instance that cannot start.
public sealed partial class WorkflowRuntime
{
    /// <summary>
    /// How many times a dispatched instance may fail to start before it ends Faulted. Every host's worker tries the
    /// oldest Pending instances first, so one that can never start must leave the queue rather than be tried forever.
    /// </summary>
    public const int MaxStartAttempts = 3;

    /// <summary>
    /// Counts a failed start of a Pending instance; at <see cref="MaxStartAttempts"/> the instance ends Faulted with an
    /// incident naming the failure. A lost database is not counted: it is no fault of the instance.
    /// </summary>
    /// <returns>True when the instance was faulted.</returns>
    public async Task<bool> RecordStartFailureAsync(string instanceId, Exception failure, CancellationToken cancellationToken)
    {
        if (StartupRetry.IsTransient(failure)) return false;
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await db.Instances
            .FromSqlRaw(db.Dialect.ClaimPendingInstanceSql, instanceId)
            .AsAsyncEnumerable().FirstOrDefaultAsync(cancellationToken);
        if (record is null) return false; // started meanwhile, or another host is at it
        var state = ReadState(record);
        state.StartAttempts++;
        var faulted = state.StartAttempts >= MaxStartAttempts;
        if (faulted)
        {
            var now = executor.Now;
            Model.WorkflowModel? model = null;
            // The version only names the root in the journal; a version that cannot be read may be why it failed.
            try { model = await definitions.FindModelByIdAsync(db, record.DefinitionVersionId, cancellationToken); }
            catch (Exception e) when (e is Model.WorkflowDefinitionException or System.Text.Json.JsonException) { }
            var activityId = state.StartActivityId ?? model?.Root.Id ?? "";
            var message = $"The instance could not start after {state.StartAttempts} attempts: {failure.Message}";
            state.Incidents.Add(new Incident(activityId, activityId, Model.WorkflowModel.FlowchartType, message, ExceptionState.From(failure), now));
            state.Status = WorkflowStatus.Finished;
            state.SubStatus = WorkflowSubStatus.Faulted;
            state.UpdatedAt = now;
            state.FinishedAt = now;
            db.Journal.Add(new JournalRecord
            {
                Id = Ids.New(), WorkflowInstanceId = state.Id, ActivityId = model?.Root.Id ?? "", ActivityType = Model.WorkflowModel.FlowchartType,
                ActivityTypeVersion = 1, NodeId = model?.Root.NodeId ?? "", Timestamp = now, Sequence = ++state.JournalSequence,
                EventName = "WorkflowFaulted", Message = message,
            });
            logger.LogError(failure, "Dispatched instance {InstanceId} failed to start {Attempts} times and is faulted", instanceId, state.StartAttempts);
        }
        Fill(record, state);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return faulted;
    }
}
