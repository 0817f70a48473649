using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Feedback.Activities.Intake.Mail;

/// <summary>A received mail, read into what intake needs: who sent it, what it says, which case it names, its pictures.</summary>
/// <param name="Key">The idempotency key: a hash of the Message-ID, or of the whole message when it has none.</param>
/// <param name="CaseNumber">The first case number in the subject, e.g. of a reply to an acknowledgement.</param>
/// <param name="Automatic">An auto-reply or other machine-sent mail (<c>Auto-Submitted</c>), which must not open a case.</param>
public sealed record IncomingMail(
    string Key, string? SenderName, string? SenderAddress, string? Subject, string Text, string? CaseNumber,
    IReadOnlyList<IncomingMail.Picture> Pictures, IReadOnlyList<string> NotKept, bool Automatic, DateTimeOffset? SentAt)
{
    /// <summary>An attached picture that passed the photo checks.</summary>
    public sealed record Picture(string Name, string ContentType, byte[] Content);
}

/// <summary>Reads a MIME message into an <see cref="IncomingMail"/>: the plain-text part, else the HTML part as text.</summary>
public static partial class IncomingMailReader
{
    public static IncomingMail Read(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = message.From.Mailboxes.FirstOrDefault();
        var text = message.TextBody;
        if (string.IsNullOrWhiteSpace(text) && message.HtmlBody is { } html) text = HtmlMailText.ToText(html);

        var pictures = new List<IncomingMail.Picture>();
        var notKept = new List<string>();
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            // The body's own text parts are the content; every other part is an attachment (inline pictures included).
            if (part is TextPart && !part.IsAttachment) continue;
            var name = part.FileName ?? part.ContentType.MimeType;
            using var buffer = new MemoryStream();
            part.Content?.DecodeTo(buffer);
            var bytes = buffer.ToArray();
            if (bytes.Length > 0 && bytes.Length <= PhotoRules.MaxPhotoBytes && pictures.Count < PhotoRules.MaxPhotos && PhotoRules.Sniff(bytes) is { } type)
                pictures.Add(new IncomingMail.Picture(name, type, bytes));
            else
                notKept.Add(name);
        }

        var autoSubmitted = message.Headers[HeaderId.AutoSubmitted];
        return new IncomingMail(
            KeyOf(message), sender?.Name, sender?.Address, message.Subject, text ?? "",
            message.Subject is { } subject && CaseNumberPattern().Match(subject) is { Success: true } match ? match.Value : null,
            pictures, notKept,
            Automatic: !string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().Equals("no", StringComparison.OrdinalIgnoreCase),
            SentAt: message.Date == DateTimeOffset.MinValue ? null : message.Date);
    }

    /// <summary>"mail:" and a hash: the Message-ID is chosen by the sender and may be long or contain anything.</summary>
    private static string KeyOf(MimeMessage message)
    {
        byte[] hash;
        if (!string.IsNullOrWhiteSpace(message.MessageId)) hash = SHA256.HashData(Encoding.UTF8.GetBytes("id:" + message.MessageId.Trim()));
        else
        {
            using var raw = new MemoryStream();
            message.WriteTo(raw);
            hash = SHA256.HashData(raw.ToArray());
        }
        return "mail:" + Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Mail text made storable as case text: control characters dropped, tag-like openers ("&lt;a@b.c&gt;" in a quoted
    /// reply header) defused so the intake's no-markup rule keeps the customer's words, and cut to <paramref name="max"/>.
    /// </summary>
    public static string? Clean(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var builder = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var rune in text.Replace("\r\n", "\n").EnumerateRunes())
        {
            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\t')) continue;
            builder.Append(rune.ToString());
        }
        var cleaned = TagOpener().Replace(builder.ToString(), "‹").Trim();
        if (cleaned.Length > max)
        {
            var cut = cleaned[..(max - 1)];
            if (char.IsHighSurrogate(cut[^1])) cut = cut[..^1];
            cleaned = cut.TrimEnd() + "…";
        }
        return cleaned.Length == 0 ? null : cleaned;
    }

    [GeneratedRegex(@"FB-\d{4}-\d{6}")]
    private static partial Regex CaseNumberPattern();

    // The same opener CaseRegistrationValidator refuses; only the '<' itself is replaced.
    [GeneratedRegex(@"<(?=\s*/?\s*[a-zA-Z!])")]
    private static partial Regex TagOpener();
}
