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
/// Delivers outbox messages after their step committed. A round claims a few due messages with a lease (a time until
/// which no other host or loop takes them), hands each to its handler, and records the outcomes in one write; a failure
/// is retried with exponential back-off.
/// </summary>
/// <remarks>
/// <para>Each claim and each outcome is noted in the <see cref="OutboxJournal"/> as soon as it is known. A host killed
/// after a handler sent a mail but before the outcome reached the database leaves the note, and the next host started on
/// the machine records the mail as sent instead of sending it twice; a claim with no outcome is released at once rather
/// than when its lease ends. A round whose record failed (the database went away) records its notes before claiming more,
/// while its lease still keeps other hosts off its messages. Only a host that never returns, or a kill in the instant
/// between the handler's return and its note, leaves a message to be delivered again after its lease.</para>
/// <para>Several loops per host because a delivery mostly waits (for the SMTP server, a workflow step). Order between
/// messages was never guaranteed across hosts, so the loops add no new kind of reordering.</para>
/// </remarks>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IDbContextFactory<WorkflowDbContext> dbFactory,
    OutboxSignal signal,
    OutboxJournal journal,
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
                await SettleOrphansAsync(stoppingToken);
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

    /// <summary>Records what hosts that stopped on this machine noted but never recorded; returns how many journals it read.</summary>
    public async Task<int> SettleOrphansAsync(CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var orphan in journal.TakeOrphans())
        {
            using (orphan)
            {
                if (orphan.UnreadableLines > 0)
                    logger.LogWarning("Outbox journal {Path} has {Count} unreadable lines; they are left out", orphan.Path, orphan.UnreadableLines);
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var (delivered, released) = await SettleAsync(db, orphan.Notes, errors: null, cancellationToken);
                logger.LogInformation("Outbox journal {Path} of a stopped host: {Delivered} deliveries recorded, {Released} claims released",
                    orphan.Path, delivered, released);
                orphan.Delete();
                settled++;
            }
        }
        return settled;
    }

    /// <summary>Delivers due messages, a claim at a time; returns how many were attempted.</summary>
    public async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        // One scope and one context for a round of messages: the per-message cost is the claim and the record, not the set-up.
        await using var scope = scopes.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(h => h.Type, StringComparer.Ordinal);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lane = journal.Rent();
        try
        {
            // What a failed round of this lane could not record, while its lease still keeps the messages its own.
            if (!lane.Notes.IsEmpty)
            {
                await SettleAsync(db, lane.Notes, errors: null, cancellationToken);
                lane.Clear();
            }
            var attempted = 0;
            try
            {
                while (attempted < OutboxDispatcherBatch.MessagesPerRound)
                {
                    var claimedAt = System.Diagnostics.Stopwatch.StartNew();
                    var leaseUntil = Truncate(clock.UtcNow + options.OutboxLease);
                    var batch = await ClaimAsync(db, leaseUntil, cancellationToken);
                    if (batch.Count == 0) break;
                    lane.Claimed(batch.Select(m => m.Id), leaseUntil);
                    var errors = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var message in batch)
                    {
                        // A handler must end well inside the lease: after it, another host may take the message.
                        var left = options.OutboxLease - OutboxDispatcherBatch.LeaseMargin - claimedAt.Elapsed;
                        if (left < OutboxDispatcherBatch.LeaseMargin) break;
                        await DeliverAsync(message, handlers, lane, errors, left, cancellationToken);
                    }
                    await SettleAsync(db, lane.Notes, errors, cancellationToken);
                    lane.Clear();
                    attempted += batch.Count;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !lane.Notes.IsEmpty)
            {
                await SettleOnStopAsync(db, lane);
                throw;
            }
            return attempted;
        }
        finally
        {
            journal.Return(lane);
        }
    }

    /// <summary>
    /// The host is stopping mid-round: what was sent is recorded and what was not is released now, so that no host
    /// (on another machine, where this journal is never read) waits for the lease and then sends it again. Bounded: a
    /// stop must not hang on a database that is away; the journal keeps what this could not record.
    /// </summary>
    private async Task SettleOnStopAsync(WorkflowDbContext db, OutboxJournalLane lane)
    {
        using var grace = new CancellationTokenSource(OutboxDispatcherBatch.StopGrace);
        try
        {
            await SettleAsync(db, lane.Notes, errors: null, grace.Token);
            lane.Clear();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Outbox outcomes not recorded while stopping; they stay in the outbox journal for the next host on this machine");
        }
    }

    /// <summary>Takes up to a batch of due messages, oldest first, under the lease <paramref name="leaseUntil"/>, in one commit.</summary>
    private async Task<List<OutboxRecord>> ClaimAsync(WorkflowDbContext db, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        List<OutboxRecord> batch;
        if (db.Dialect.SupportsRowLocks)
        {
            batch = await db.Outbox.FromSqlRaw(db.Dialect.ClaimOutboxSql, now, leaseUntil).AsNoTracking().ToListAsync(cancellationToken);
        }
        else
        {
            // SQLite: one writer at a time, so reading and then writing in one transaction is the claim.
            batch = await db.Outbox.Where(m => m.DeliveredAt == null && m.NextAttemptAt <= now).OrderBy(m => m.CreatedAt)
                .Take(OutboxDispatcherBatch.Size).ToListAsync(cancellationToken);
            foreach (var message in batch)
            {
                message.Attempts++;
                message.NextAttemptAt = leaseUntil;
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        await tx.CommitAsync(cancellationToken);
        return batch.OrderBy(m => m.CreatedAt).ToList();
    }

    /// <summary>Runs the message's handler and notes the outcome in <paramref name="lane"/> (a failure's error in <paramref name="errors"/>).</summary>
    private async Task DeliverAsync(OutboxRecord message, Dictionary<string, IOutboxHandler> handlers, OutboxJournalLane lane,
        Dictionary<string, string> errors, TimeSpan allowed, CancellationToken cancellationToken)
    {
        try
        {
            if (!handlers.TryGetValue(message.Type, out var handler))
                throw new InvalidOperationException($"No outbox handler is registered for message type '{message.Type}'.");
            using var withinLease = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            withinLease.CancelAfter(allowed);
            try
            {
                await handler.HandleAsync(message.Id, JsonNode.Parse(message.Payload)!.AsObject(), withinLease.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The delivery did not finish within {allowed.TotalSeconds:0} s, inside its claim's lease.");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, message.Attempts)));
            errors[message.Id] = e.Message;
            lane.Failed(message.Id, clock.UtcNow + delay);
            logger.LogWarning(e, "Outbox message {MessageId} ({Type}) failed on attempt {Attempt}; next try in {Delay}", message.Id, message.Type, message.Attempts, delay);
            return;
        }
        // Noted before anything else can happen: this note is what keeps a kill from sending the message again.
        lane.Delivered(message.Id);
    }

    /// <summary>
    /// Records noted outcomes in one commit: deliveries as delivered, failures as due again later, and claims without an
    /// outcome as due now. A failure or release applies only while the message's lease is still the one noted (another
    /// host may have claimed it since); a delivery applies always. Returns how many deliveries and releases it recorded.
    /// </summary>
    private async Task<(int Delivered, int Released)> SettleAsync(WorkflowDbContext db, JournalNotes notes, Dictionary<string, string>? errors,
        CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var delivered = notes.Delivered.ToList();
        var failed = notes.Failed.Where(f => !notes.Delivered.Contains(f.Key) && notes.Claims.ContainsKey(f.Key)).ToList();
        var released = notes.Claims.Where(c => !notes.Delivered.Contains(c.Key) && !notes.Failed.ContainsKey(c.Key))
            .GroupBy(c => c.Value, c => c.Key).ToList();
        if (delivered.Count == 0 && failed.Count == 0 && released.Count == 0) return (0, 0);

        // Most rounds only deliver: one statement, committed on its own.
        var single = failed.Count == 0 && released.Count == 0;
        await using var tx = single ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        if (delivered.Count > 0)
            await db.Outbox.Where(m => delivered.Contains(m.Id) && m.DeliveredAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveredAt, now).SetProperty(m => m.LastError, (string?)null), cancellationToken);
        foreach (var (id, nextAttemptAt) in failed)
        {
            var lease = notes.Claims[id];
            var error = errors?.GetValueOrDefault(id) ?? "The delivery failed; its error was lost when the host stopped.";
            await db.Outbox.Where(m => m.Id == id && m.DeliveredAt == null && m.NextAttemptAt == lease)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, nextAttemptAt).SetProperty(m => m.LastError, error), cancellationToken);
        }
        var releasedCount = 0;
        foreach (var group in released)
        {
            var ids = group.ToList();
            releasedCount += await db.Outbox.Where(m => ids.Contains(m.Id) && m.DeliveredAt == null && m.NextAttemptAt == group.Key)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now), cancellationToken);
        }
        if (tx is not null) await tx.CommitAsync(cancellationToken);
        return (delivered.Count, releasedCount);
    }

    /// <summary>To whole milliseconds, so that the lease reads back from the database and the journal as the same value.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}

/// <summary>How the dispatcher sizes its claims.</summary>
internal static class OutboxDispatcherBatch
{
    /// <summary>
    /// How many messages one claim takes. A claim and its record are a commit each, shared by the batch; a crash leaves
    /// the rest of a batch to the journal (released at once) or, without it, to the end of the lease.
    /// </summary>
    public const int Size = 8;

    /// <summary>How many messages one round delivers before the dispatcher looks at its stop signal again.</summary>
    public const int MessagesPerRound = 50;

    /// <summary>How long before its lease ends a delivery must have finished, and the least time a delivery is started with.</summary>
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(15);

    /// <summary>The shortest lease that leaves a delivery time to run: both margins and as much again.</summary>
    public static readonly TimeSpan MinimumLease = TimeSpan.FromSeconds(60);

    /// <summary>How long a stopping host tries to record a round's outcomes.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
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
