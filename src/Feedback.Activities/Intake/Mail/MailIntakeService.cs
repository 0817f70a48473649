using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Classification;
using Feedback.Activities.Notification;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Intake.Mail;

/// <summary>What became of one received mail.</summary>
public enum MailOutcomeKind
{
    /// <summary>A new case was registered.</summary>
    CaseOpened,
    /// <summary>The mail was added to the case its subject names, as a customer message.</summary>
    AddedToCase,
    /// <summary>The mail had been handled before (same Message-ID); nothing was stored again.</summary>
    AlreadyHandled,
    /// <summary>The mail cannot become feedback; it is set aside and never read again.</summary>
    Rejected,
}

/// <summary>The outcome of <see cref="MailIntakeService.AcceptAsync"/>.</summary>
public sealed record MailOutcome(MailOutcomeKind Kind, string? CaseNumber, string? Reason = null);

/// <summary>
/// Turns a received mail into feedback: a reply naming one of the sender's cases is added to that case, anything
/// else from a customer opens a case (channel e-mail) through <see cref="CaseService.RegisterAsync"/>. Both carry the
/// mail's key in the same commit as the case or history line, so a mail handled twice is stored once.
/// </summary>
public sealed class MailIntakeService(
    IDbContextFactory<FeedbackDbContext> dbFactory, CaseService cases, WorkflowRuntime runtime, EmailOptions email, IClock clock,
    ILogger<MailIntakeService> logger, IPhotoLinks? photoLinks = null)
{
    public const string Via = "e-mail";
    /// <summary>The history verb of a customer's mail added to a case.</summary>
    public const string CustomerMessageAction = "CustomerMessage";
    /// <summary>
    /// The event a customer's mail to an existing case raises, correlated by the case number: it resumes the case's
    /// workflow where it waits for one and starts the processes it triggers (shipped: <c>customer-message</c>). Its
    /// payload: <c>caseNumber</c>, <c>status</c>, <c>owner</c>, <c>leadDepartment</c>, <c>message</c>.
    /// </summary>
    public const string CustomerMessageEvent = "CustomerMessage";

    /// <exception cref="WorkflowNotFoundException">The feedback process is not published; nothing was stored.</exception>
    public async Task<MailOutcome> AcceptAsync(IncomingMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (string.IsNullOrWhiteSpace(mail.SenderAddress)) return new MailOutcome(MailOutcomeKind.Rejected, null, "The mail has no sender address.");
        var sender = mail.SenderAddress.Trim();
        // Our own mail coming back (a bounce loop) or an out-of-office answer to an acknowledgement is not feedback.
        if (sender.Equals(email.From, StringComparison.OrdinalIgnoreCase))
            return new MailOutcome(MailOutcomeKind.Rejected, null, "The mail was sent from the feedback address itself.");
        if (mail.Automatic) return new MailOutcome(MailOutcomeKind.Rejected, null, "The mail is an automatic reply (Auto-Submitted).");

        if (mail.CaseNumber is { } number && await cases.FindAsync(number, cancellationToken) is { } existing)
        {
            // Only the case's own customer adds to it: anyone else naming a case number (a forward, a guess) opens a
            // case of their own, whose title still shows the number.
            if (!existing.Anonymous && string.Equals(existing.CustomerEmail, sender, StringComparison.OrdinalIgnoreCase))
                return await AddToCaseAsync(existing, mail, cancellationToken);
            logger.LogInformation("Mail naming case {Number} comes from another address than the case's customer; it opens a case of its own", number);
        }
        return await OpenCaseAsync(mail, sender, cancellationToken);
    }

    private async Task<MailOutcome> OpenCaseAsync(IncomingMail mail, string sender, CancellationToken cancellationToken)
    {
        var notKept = NotKept(mail);
        var note = notKept.Count > 0 ? IncomingMailReader.Clean($"[Attachments not kept: {string.Join(", ", notKept)}]", 1_000) : null;
        var title = IncomingMailReader.Clean(mail.Subject, 200);
        // A mail that says it all in the subject still becomes a case.
        var text = IncomingMailReader.Clean(mail.Text, CaseRegistrationValidator.MaxContentLength - (note is null ? 0 : note.Length + 2)) ?? title;
        if (text is null) return new MailOutcome(MailOutcomeKind.Rejected, null, "The mail has neither text nor a subject.");
        var content = note is null ? text : text + "\n\n" + note;

        var registration = new CaseRegistration
        {
            Channel = FeedbackChannel.Email,
            // A display name that is a web address would refuse the whole mail; the address's own name stands in.
            CustomerName = IncomingMailReader.Clean(mail.SenderName, 100) is { } name && !CaseRegistrationValidator.HasLink(name) ? name
                : IncomingMailReader.Clean(sender.Split('@')[0], 100),
            CustomerEmail = sender,
            Language = GuessLanguage(title + "\n" + text),
            Title = title,
            Content = content,
        };
        // Checked before the pictures are stored, so a mail that cannot become a case leaves no photos behind.
        if (CaseRegistrationValidator.Validate(registration) is { Count: > 0 } errors)
            return new MailOutcome(MailOutcomeKind.Rejected, null, string.Join(" ", errors));
        var photos = await KeepPicturesAsync(mail, cancellationToken);
        if (photos.Count > 0) registration = registration with { Product = new ProductDetails { Photos = photos } };
        try
        {
            var registered = await cases.RegisterAsync(registration, "customer", Via, mail.Key, cancellationToken);
            return new MailOutcome(registered.Created ? MailOutcomeKind.CaseOpened : MailOutcomeKind.AlreadyHandled, registered.Case.Number);
        }
        catch (CaseValidationException e)
        {
            return new MailOutcome(MailOutcomeKind.Rejected, null, e.Message);
        }
    }

    private async Task<MailOutcome> AddToCaseAsync(FeedbackCase feedback, IncomingMail mail, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.ReceivedMail.AnyAsync(m => m.Key == mail.Key, cancellationToken))
            return new MailOutcome(MailOutcomeKind.AlreadyHandled, feedback.Number);
        var photos = await KeepPicturesAsync(mail, cancellationToken);
        var details = new StringBuilder();
        if (IncomingMailReader.Clean(mail.Subject, 200) is { } subject) details.Append("Subject: ").Append(subject).Append('\n');
        details.Append(IncomingMailReader.Clean(mail.Text, CaseRegistrationValidator.MaxContentLength) ?? "(no text)");
        if (photos.Count > 0) details.Append("\n\nPhotos: ").Append(string.Join(" ", photos));
        if (NotKept(mail) is { Count: > 0 } notKept) details.Append("\n\n[Attachments not kept: ").Append(IncomingMailReader.Clean(string.Join(", ", notKept), 2_000)).Append(']');

        // Raised before the mail is marked as stored: if this process stops in between, the mail is read again and the
        // event delivered again under the same delivery id, which starts nothing a second time.
        var payload = new JsonObject
        {
            ["caseNumber"] = feedback.Number, ["status"] = feedback.Status.ToString(), ["owner"] = feedback.Owner,
            ["leadDepartment"] = feedback.LeadDepartment, ["message"] = details.ToString(),
        };
        await runtime.TriggerEventAsync(CustomerMessageEvent, feedback.Number, null, payload, "mail:" + mail.Key, raisedAt: null, cancellationToken);

        var now = clock.UtcNow;
        db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = "customer", Via = Via, Action = CustomerMessageAction, Details = CustomerMessages.Reference(mail.Key) });
        db.ReceivedMail.Add(new ReceivedMail { Key = mail.Key, CaseNumber = feedback.Number, ReceivedAt = now, Text = details.ToString() });
        // The customer writing again is a change to the case: its retention period starts again, so the mail just kept
        // is not anonymised tomorrow because the case was quiet before it. Only this column is written.
        var touched = db.Cases.Attach(new FeedbackCase { Id = feedback.Id, Number = feedback.Number, Content = "", WorkflowInstanceId = "", WorkflowDefinitionId = "" });
        touched.Property(c => c.UpdatedAt).CurrentValue = now;
        touched.Property(c => c.UpdatedAt).IsModified = true;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another pass stored the same mail first (its key is the primary key); nothing of this attempt was stored.
            await using var check = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await check.ReceivedMail.AnyAsync(m => m.Key == mail.Key, cancellationToken)) return new MailOutcome(MailOutcomeKind.AlreadyHandled, feedback.Number);
            throw;
        }
        return new MailOutcome(MailOutcomeKind.AddedToCase, feedback.Number);
    }

    /// <summary>
    /// Stores the mail's pictures like web-form photos and returns their links. Ids derive from the mail's key, so a
    /// mail handled again stores no second copy.
    /// </summary>
    private async Task<List<string>> KeepPicturesAsync(IncomingMail mail, CancellationToken cancellationToken)
    {
        if (photoLinks is null || mail.Pictures.Count == 0) return [];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = mail.Pictures.Select((_, i) => PictureId(mail.Key, i)).ToList();
        var stored = await db.Photos.Where(p => ids.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken);
        var now = clock.UtcNow;
        for (var i = 0; i < ids.Count; i++)
            if (!stored.Contains(ids[i]))
                db.Photos.Add(new UploadedPhoto { Id = ids[i], ContentType = mail.Pictures[i].ContentType, Content = mail.Pictures[i].Content, UploadedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        return ids.Select(photoLinks.LinkFor).ToList();
    }

    /// <summary>
    /// The ids the pictures of the mail with this key are stored under, whether or not it had any: retention finds a later
    /// mail's pictures by them, since only the mail's text (which it removes) links them to the case.
    /// </summary>
    internal static IEnumerable<string> PictureIds(string mailKey) => Enumerable.Range(0, PhotoRules.MaxPhotos).Select(i => PictureId(mailKey, i));

    private static string PictureId(string mailKey, int index) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{mailKey}#{index}")))[..32];

    private List<string> NotKept(IncomingMail mail) =>
        photoLinks is null ? [.. mail.NotKept, .. mail.Pictures.Select(p => p.Name)] : [.. mail.NotKept];

    /// <summary>Replies go out in the language the customer wrote in: Chinese in traditional characters, other Chinese, else English.</summary>
    internal static string GuessLanguage(string text)
    {
        var chinese = text.Where(c => c is >= '\u4E00' and <= '\u9FFF').ToList();
        if (chinese.Count == 0) return "en";
        return chinese.Any(c => ChineseVariants.ToSimplified(c) != c) ? "zh-TW" : "zh-CN";
    }
}
