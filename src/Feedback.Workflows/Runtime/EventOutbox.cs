using System.Data.Common;
using System.Text.Json.Nodes;
using Feedback.Workflows.Activities.Events;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Feedback.Workflows.Runtime;

/// <summary>An open transaction on the runtime's database that a domain write joins.</summary>
/// <param name="Provider">Which database the connection belongs to.</param>
public sealed record JoinedTransaction(DbConnection Connection, DbTransaction Transaction, DatabaseProvider Provider);

/// <summary>An event to deliver after a commit, as the <see cref="PublishEvent"/> activity delivers one.</summary>
/// <param name="WorkflowInstanceId">Deliver only to this instance; null reaches every waiting instance (filtered by correlation) and triggered definitions.</param>
public sealed record QueuedEvent(string Name, string? CorrelationId, string? WorkflowInstanceId, JsonNode? Payload);

/// <summary>
/// A domain change made outside a workflow (a staff decision through the API) that workflows must hear about: the
/// change and its event commit together, and the outbox delivers the event afterwards, on any host, even if this one
/// stops right after the commit. A rolled-back change sends nothing.
/// </summary>
public sealed class EventOutbox(IDbContextFactory<WorkflowDbContext> dbFactory, OutboxSignal signal, IClock clock)
{
    /// <summary>
    /// Runs <paramref name="write"/> inside a new transaction and commits it with the event the write returns (none
    /// when it returns null, e.g. because nothing changed). An exception from the write rolls everything back.
    /// </summary>
    public async Task<T> CommitAsync<T>(Func<JoinedTransaction, CancellationToken, Task<(T Result, QueuedEvent? Event)>> write, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var joined = new JoinedTransaction(db.Database.GetDbConnection(), tx.GetDbTransaction(),
            db.Dialect.SupportsRowLocks ? DatabaseProvider.PostgreSql : DatabaseProvider.Sqlite);
        var (result, queued) = await write(joined, cancellationToken);
        if (queued is not null)
        {
            var now = clock.UtcNow;
            db.Outbox.Add(new OutboxRecord
            {
                Id = Ids.New(), Type = PublishEvent.OutboxType, WorkflowInstanceId = queued.WorkflowInstanceId, CreatedAt = now, NextAttemptAt = now,
                Payload = new JsonObject
                {
                    ["eventName"] = queued.Name,
                    ["correlationId"] = queued.CorrelationId,
                    ["workflowInstanceId"] = queued.WorkflowInstanceId,
                    ["payload"] = queued.Payload?.DeepClone(),
                    [PublishEvent.RaisedAtKey] = now,
                }.ToJsonString(),
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        if (queued is not null) signal.Notify();
        return result;
    }
}
