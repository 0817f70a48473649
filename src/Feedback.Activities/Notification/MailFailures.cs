using System.Collections.Concurrent;
using System.Threading.Channels;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Notification;

/// <summary>A mail the outbox could not deliver on one attempt.</summary>
public sealed record MailFailure(string MessageId, string CaseNumber, string Message, string Recipient, string Error);

/// <summary>
/// Puts mail delivery failures on their case's history. The outbox handler reports them; they are written here, after
/// the outbox's own transaction, because SQLite allows one writer at a time. A failure repeating the previous error of
/// the same mail is not written again, so retries with back-off do not flood the history.
/// </summary>
public sealed class MailFailureRecorder(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock, ILogger<MailFailureRecorder> logger) : BackgroundService
{
    private readonly Channel<MailFailure> _queue = Channel.CreateBounded<MailFailure>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ConcurrentDictionary<string, string> _lastError = new();

    /// <summary>Queues a failure for the history; a repeat of the mail's previous error is ignored.</summary>
    public void Report(MailFailure failure)
    {
        if (_lastError.TryGetValue(failure.MessageId, out var previous) && previous == failure.Error) return;
        if (_lastError.Count > 10_000) _lastError.Clear(); // bounded memory; the worst case is one repeated history line
        _lastError[failure.MessageId] = failure.Error;
        _queue.Writer.TryWrite(failure);
    }

    /// <summary>Forgets a mail once it was delivered.</summary>
    public void Delivered(string messageId) => _lastError.TryRemove(messageId, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var failure in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await WriteAsync(failure, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The outbox keeps retrying the mail itself; only its note on the case is lost, and the log says so.
                logger.LogError(e, "Could not record the delivery failure of mail {MessageId} on case {Case}", failure.MessageId, failure.CaseNumber);
            }
        }
    }

    private async Task WriteAsync(MailFailure failure, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Cases.Where(c => c.Number == failure.CaseNumber).Select(c => new { c.Id, c.CustomerEmail }).FirstOrDefaultAsync(cancellationToken);
        if (found is null) return;
        // History lines are append-only and outlive retention, so a customer's address never goes into one (nor into
        // the server's answer quoted after it); staff addresses stay, they are what a supervisor needs to fix.
        var (recipient, error) = (failure.Recipient, failure.Error);
        if (found.CustomerEmail is { Length: > 0 } customer && string.Equals(recipient, customer, StringComparison.OrdinalIgnoreCase))
        {
            recipient = PersonalData.MaskEmail(recipient)!;
            error = error.Replace(customer, recipient, StringComparison.OrdinalIgnoreCase);
        }
        db.History.Add(new CaseHistoryEntry
        {
            CaseId = found.Id, At = clock.UtcNow, Actor = "mail", Via = "outbox", Action = "MailDeliveryFailed",
            Details = $"{failure.Message} mail to {recipient} could not be delivered: {error} It is retried with back-off.",
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
