using System.Data.Common;
using Feedback.Workflows.Runtime;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Feedback.Activities.Intake.Mail;

/// <summary>What one pass over the mailbox did; <see cref="Skipped"/> when another host held the intake lock.</summary>
public sealed record MailPass(bool Skipped, int Opened, int Added, int AlreadyHandled, int Rejected, int Deferred);

/// <summary>
/// One pass over the configured IMAP folder: every message not yet marked is read and handed to
/// <see cref="MailIntakeService"/>, and only after its outcome is stored is it marked (and moved, if configured).
/// A host that stops in between leaves the message unmarked; the next pass finds the stored outcome by the mail's key.
/// </summary>
public sealed class MailboxPoller(MailIntakeOptions options, MailIntakeService intake, MailIntakeLock intakeLock, ILogger<MailboxPoller> logger)
{
    // Failures per message (UIDVALIDITY:UID) that fit no known case; a message that keeps failing is set aside.
    private readonly Dictionary<string, int> _attempts = new();

    /// <summary>Runs one pass under the intake lock.</summary>
    /// <exception cref="WorkflowNotFoundException">The feedback process is not published; the pass stopped, nothing is marked.</exception>
    /// <exception cref="DbException">The database is unreachable; the pass stopped and the next one tries again.</exception>
    /// <exception cref="IOException">The mail server connection failed; the next pass tries again.</exception>
    public async Task<MailPass> RunPassAsync(CancellationToken cancellationToken)
    {
        await using var held = await intakeLock.TryEnterAsync(cancellationToken);
        if (held is null) return new MailPass(true, 0, 0, 0, 0, 0);

        using var client = new ImapClient();
        await client.ConnectAsync(options.Host ?? throw new InvalidOperationException("Email:Imap:Host is not set; e-mail intake is off."), options.Port, options.Security, cancellationToken);
        if (!string.IsNullOrEmpty(options.Username)) await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
        var folder = await client.GetFolderAsync(options.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var processedFolder = options.ProcessedFolder is { Length: > 0 } p ? await client.GetFolderAsync(p, cancellationToken) : null;
        var rejectedFolder = options.RejectedFolder is { Length: > 0 } r ? await client.GetFolderAsync(r, cancellationToken) : null;
        var keywords = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined);
        if (!keywords && (processedFolder is null || rejectedFolder is null))
            throw new InvalidOperationException($"The IMAP folder '{options.Folder}' does not keep keywords; set Email:Imap:ProcessedFolder and Email:Imap:RejectedFolder so handled mail is moved out of it.");

        var uids = await folder.SearchAsync(SearchQuery.NotKeyword(MailKeywords.Processed).And(SearchQuery.NotKeyword(MailKeywords.Rejected)), cancellationToken);
        var batch = uids.OrderBy(u => u.Id).Take(options.BatchSize).ToList();
        int opened = 0, added = 0, again = 0, rejected = 0, deferred = 0;
        if (batch.Count > 0)
        {
            var summaries = await folder.FetchAsync(batch, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, cancellationToken);
            foreach (var summary in summaries.OrderBy(s => s.UniqueId.Id))
            {
                var attemptKey = $"{folder.UidValidity}:{summary.UniqueId.Id}";
                var (outcome, reason) = await HandleAsync(folder, summary, attemptKey, cancellationToken);
                switch (outcome)
                {
                    case null: deferred++; continue;
                    case MailOutcomeKind.Rejected:
                        rejected++;
                        logger.LogWarning("Mail {Uid} in {Folder} was set aside as {Keyword}: {Reason}", summary.UniqueId.Id, options.Folder, MailKeywords.Rejected, reason);
                        await MarkAsync(folder, summary.UniqueId, MailKeywords.Rejected, keywords, rejectedFolder, cancellationToken);
                        break;
                    default:
                        if (outcome == MailOutcomeKind.CaseOpened) opened++;
                        else if (outcome == MailOutcomeKind.AddedToCase) added++;
                        else again++;
                        await MarkAsync(folder, summary.UniqueId, MailKeywords.Processed, keywords, processedFolder, cancellationToken);
                        break;
                }
                _attempts.Remove(attemptKey);
            }
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
        return new MailPass(false, opened, added, again, rejected, deferred);
    }

    /// <summary>The outcome, or null when the message failed this time and is left for the next pass.</summary>
    private async Task<(MailOutcomeKind? Outcome, string? Reason)> HandleAsync(IMailFolder folder, IMessageSummary summary, string attemptKey, CancellationToken cancellationToken)
    {
        if (summary.Size is { } size && size > options.MaxMessageBytes)
            return (MailOutcomeKind.Rejected, $"{size} bytes, more than the {options.MaxMessageBytes} accepted (Email:Imap:MaxMessageBytes).");
        try
        {
            var message = await folder.GetMessageAsync(summary.UniqueId, cancellationToken);
            var outcome = await intake.AcceptAsync(IncomingMailReader.Read(message), cancellationToken);
            if (outcome.Kind != MailOutcomeKind.Rejected)
                logger.LogInformation("Mail {Uid} in {Folder}: {Outcome} {Number}", summary.UniqueId.Id, options.Folder, outcome.Kind, outcome.CaseNumber);
            return (outcome.Kind, outcome.Reason);
        }
        catch (ParseException e)
        {
            return (MailOutcomeKind.Rejected, "The message cannot be parsed: " + e.Message);
        }
        catch (Exception e) when (e is not (OperationCanceledException or WorkflowNotFoundException or DbException or IOException or ImapProtocolException or ServiceNotConnectedException))
        {
            // Unforeseen and tied to this message: it is retried a few passes, then set aside so it blocks nothing.
            var attempts = _attempts[attemptKey] = _attempts.GetValueOrDefault(attemptKey) + 1;
            if (attempts >= options.MaxAttempts) return (MailOutcomeKind.Rejected, $"failed {attempts} times, last with {e.GetType().Name}: {e.Message}");
            logger.LogWarning(e, "Mail {Uid} in {Folder} failed (attempt {Attempt} of {Max}); the next pass tries it again", summary.UniqueId.Id, options.Folder, attempts, options.MaxAttempts);
            return (null, null);
        }
    }

    private static async Task MarkAsync(IMailFolder folder, UniqueId uid, string keyword, bool keywords, IMailFolder? moveTo, CancellationToken cancellationToken)
    {
        if (keywords) await folder.AddFlagsAsync(uid, MessageFlags.None, new HashSet<string> { keyword }, silent: true, cancellationToken);
        if (moveTo is not null) await folder.MoveToAsync(uid, moveTo, cancellationToken);
    }
}
