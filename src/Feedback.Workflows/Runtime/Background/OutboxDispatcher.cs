using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>Delivers one kind of outbox message. Delivery is at least once, so a handler must tolerate a repeat.</summary>
public interface IOutboxHandler
{
    /// <summary>The message type this handler delivers, e.g. <c>Elsa.PublishEvent</c>.</summary>
    string Type { get; }

    /// <param name="messageId">Stable across retries: use it to make the delivery idempotent.</param>
    Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken);
}

/// <summary>
/// Delivers outbox messages after their step committed. Each message is claimed with a row lock that other hosts and
/// this host's other delivery loops skip, so they share the work (on SQLite, with a lease); a failure is recorded on the
/// row and retried with exponential back-off.
/// </summary>
/// <remarks>
/// Several loops per host because a delivery mostly waits (for the database, the SMTP server, a workflow step), and one
/// loop per host fell behind the mail a busy system queues. Order between messages was never guaranteed across hosts,
/// so the loops add no new kind of reordering.
/// </remarks>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IDbContextFactory<WorkflowDbContext> dbFactory,
    OutboxSignal signal,
    Runtime.IClock clock,
    WorkflowRuntimeOptions options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite has one writer for the whole database: more loops there would only take turns on its lock.
        var loops = options.Provider == DatabaseProvider.PostgreSql ? Math.Max(1, options.OutboxConcurrency) : 1;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => DrainAsync(stoppingToken)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be away for a while; keep polling rather than stopping the host.
                logger.LogError(e, "Outbox delivery failed; retrying");
            }
            await signal.WaitAsync(PollInterval, stoppingToken);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await DeliverBatchAsync(cancellationToken) > 0) { }
    }

    /// <summary>Delivers due messages, each claimed and marked in a transaction of its own; returns how many were attempted.</summary>
    public async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        // One scope and one context for a round of messages: the per-message cost is the claim's transaction, not the set-up.
        await using var scope = scopes.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(h => h.Type, StringComparer.Ordinal);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return db.Dialect.SupportsRowLocks
            ? await DeliverLockedAsync(db, handlers, cancellationToken)
            : await DeliverLeasedAsync(db, handlers, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the claim's row lock lasts while the handler runs, so no other host or loop takes the message, and
    /// its mark commits with the claim.
    /// </summary>
    private async Task<int> DeliverLockedAsync(WorkflowDbContext db, Dictionary<string, IOutboxHandler> handlers, CancellationToken cancellationToken)
    {
        var attempted = 0;
        while (attempted < OutboxDispatcherBatch.MessagesPerRound)
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var batch = await db.Outbox.FromSqlRaw(db.Dialect.ClaimOutboxSql, clock.UtcNow).ToListAsync(cancellationToken);
            if (batch.Count == 0) break;
            foreach (var message in batch)
            {
                message.Attempts++;
                await DeliverAsync(message, handlers, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            attempted += batch.Count;
        }
        return attempted;
    }

    /// <summary>
    /// SQLite: the claim is a lease committed before the handler runs, and the mark a write of its own after it.
    /// </summary>
    /// <remarks>
    /// SQLite has one write lock for the whole database. A claim transaction held open during the delivery kept it, and
    /// a handler that writes (resuming a workflow on an event, an SLA recheck) waited for it on its own connection until
    /// "database is locked", on every retry, so events never arrived. The lease stands in for the row lock: until it
    /// expires the message is not due, and if the host stops mid-delivery the message is sent again after it.
    /// </remarks>
    private async Task<int> DeliverLeasedAsync(WorkflowDbContext db, Dictionary<string, IOutboxHandler> handlers, CancellationToken cancellationToken)
    {
        var attempted = 0;
        while (attempted < OutboxDispatcherBatch.MessagesPerRound)
        {
            OutboxRecord? message;
            await using (var claim = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                var now = clock.UtcNow;
                message = await db.Outbox.Where(m => m.DeliveredAt == null && m.NextAttemptAt <= now).OrderBy(m => m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
                if (message is null) break;
                message.Attempts++;
                message.NextAttemptAt = now + OutboxDispatcherBatch.SqliteLease;
                await db.SaveChangesAsync(cancellationToken);
                await claim.CommitAsync(cancellationToken);
            }
            await DeliverAsync(message, handlers, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            attempted++;
        }
        return attempted;
    }

    /// <summary>Runs the message's handler and records the outcome on the (claimed, counted) message; the caller saves it.</summary>
    private async Task DeliverAsync(OutboxRecord message, Dictionary<string, IOutboxHandler> handlers, CancellationToken cancellationToken)
    {
        try
        {
            if (!handlers.TryGetValue(message.Type, out var handler))
                throw new InvalidOperationException($"No outbox handler is registered for message type '{message.Type}'.");
            await handler.HandleAsync(message.Id, JsonNode.Parse(message.Payload)!.AsObject(), cancellationToken);
            message.DeliveredAt = clock.UtcNow;
            message.LastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, message.Attempts)));
            message.NextAttemptAt = clock.UtcNow + delay;
            message.LastError = e.Message;
            logger.LogWarning(e, "Outbox message {MessageId} ({Type}) failed on attempt {Attempt}; next try in {Delay}", message.Id, message.Type, message.Attempts, delay);
        }
    }
}

/// <summary>How many messages one claim takes: one, so that each delivery is marked in a commit of its own.</summary>
/// <remarks>
/// A delivery is recorded only when its claim's transaction commits. With several messages per claim, a crash or a
/// lost database connection after some were sent rolled back their marks too, and all of them were sent again (the
/// fault drill saw mails received twice after a host was killed or PostgreSQL stopped); with one, at most the message
/// each delivery loop has in flight at that moment is repeated, which its stable Message-Id lets the receiver recognise.
/// </remarks>
internal static class OutboxDispatcherBatch
{
    public const int Size = 1;

    /// <summary>How many messages one round delivers before the dispatcher looks at its stop signal again.</summary>
    public const int MessagesPerRound = 50;

    /// <summary>How long a SQLite claim keeps a message from being taken again: the wait before a resend after a stop mid-delivery.</summary>
    public static readonly TimeSpan SqliteLease = TimeSpan.FromMinutes(1);
}

/// <summary>Delivers <c>PublishEvent</c>: resumes waiting Event activities and starts triggered workflows.</summary>
internal sealed class PublishEventOutboxHandler(WorkflowRuntime runtime) : IOutboxHandler
{
    public string Type => Activities.Events.PublishEvent.OutboxType;

    public Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken) =>
        runtime.TriggerEventAsync(
            (string?)payload["eventName"] ?? throw new FormatException("The event message has no event name."),
            (string?)payload["correlationId"],
            (string?)payload["workflowInstanceId"],
            payload["payload"]?.DeepClone(),
            deliveryId: messageId,
            // Messages queued before this was recorded have none: they reach whatever waits at each attempt, as before.
            raisedAt: payload[Activities.Events.PublishEvent.RaisedAtKey]?.GetValue<DateTimeOffset>(),
            cancellationToken);
}
