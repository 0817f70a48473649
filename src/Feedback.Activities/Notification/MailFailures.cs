using System.Collections.Concurrent;
using System.Threading.Channels;
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
        var caseId = await db.Cases.Where(c => c.Number == failure.CaseNumber).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken);
        if (caseId is null) return;
        db.History.Add(new CaseHistoryEntry
        {
            CaseId = caseId.Value, At = clock.UtcNow, Actor = "mail", Via = "outbox", Action = "MailDeliveryFailed",
            Details = $"{failure.Message} mail to {failure.Recipient} could not be delivered: {failure.Error} It is retried with back-off.",
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
