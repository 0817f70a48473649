using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime.Background;
using MailKit.Security;
using MimeKit;

namespace Feedback.Activities.Notification;

/// <summary>Where mail goes: an SMTP server, or, with none configured, <c>.eml</c> files in a development mailbox folder.</summary>
public sealed class EmailOptions
{
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 25;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>None, StartTls, SslOnConnect or Auto (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;
    public string From { get; set; } = "feedback@localhost";
    public string FromName { get; set; } = "Customer feedback";
    /// <summary>Used when no SMTP host is set, so that a fresh install can read what it would have sent.</summary>
    public string DevMailboxFolder { get; set; } = "data/dev-mail";
}

/// <summary>
/// Sends the mail recorded by <see cref="NotifyCustomer"/>. The outbox message id becomes the Message-Id, so a resend
/// after a crash between sending and marking is recognisable as the same mail.
/// </summary>
public sealed class EmailOutboxHandler(EmailOptions options, SmtpConnectionPool smtp, MailFailureRecorder failures) : IOutboxHandler
{
    public const string MessageKindHeader = "X-Feedback-Message";

    public string Type => NotifyCustomer.EmailOutboxType;

    public async Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { MessageId = $"{messageId}@feedback-workflows", Subject = (string?)payload["subject"] ?? "" };
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(new MailboxAddress((string?)payload["toName"] ?? "", (string?)payload["to"] ?? throw new FormatException("The mail has no recipient.")));
        if ((string?)payload["caseNumber"] is { } number) message.Headers.Add("X-Feedback-Case", number);
        // Which message this is (Acknowledgement, Survey, StaffTask...), so mail rules and tests can tell them apart.
        if ((string?)payload["message"] is { } kind) message.Headers.Add(MessageKindHeader, kind);
        var text = (string?)payload["text"] ?? "";
        // The language the template was written in, so that mail readers and screen readers read it as such.
        var language = (string?)payload["language"];
        var body = new MultipartAlternative
        {
            new TextPart("plain") { Text = text },
            new TextPart("html") { Text = MailHtml.FromText(text, language) },
        };
        // A Content-* header belongs to the body entity, where MimeKit keeps it.
        if (language is not null) body.Headers.Add(HeaderId.ContentLanguage, language);
        message.Body = body;

        try
        {
            await DeliverAsync(message, messageId, cancellationToken);
            failures.Delivered(messageId);
        }
        catch (Exception e) when (e is not OperationCanceledException && (string?)payload["caseNumber"] is { } caseNumber)
        {
            failures.Report(new MailFailure(messageId, caseNumber, (string?)payload["message"] ?? "A", string.Join(", ", message.To.Mailboxes.Select(m => m.Address)), e.Message));
            throw;
        }
    }

    private async Task DeliverAsync(MimeMessage message, string messageId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.SmtpHost))
        {
            Directory.CreateDirectory(options.DevMailboxFolder);
            // Written under another name and then renamed, so the mailbox page never reads a half-written message.
            var path = Path.Combine(options.DevMailboxFolder, $"{messageId}.eml");
            var partial = path + ".partial";
            await message.WriteToAsync(partial, cancellationToken);
            File.Move(partial, path, overwrite: true);
            return;
        }
        await smtp.SendAsync(message, cancellationToken);
    }
}
