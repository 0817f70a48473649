using System.Text.Json.Nodes;
using Feedback.Activities.Links;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Feedback.Activities.Cases;

/// <summary>
/// Internal notes on a case (<see cref="CaseNote"/>): how a helping department reports what it did, and how the staff
/// on a case keep what they learned outside the flow's own steps. Each note is also a history line, without its text:
/// the history outlives retention, which removes the notes' text with the case's other personal data. A note by
/// someone else mails the member responsible for the case, in the same commit as the note, through the mail outbox.
/// </summary>
public sealed class CaseNotes(
    IDbContextFactory<FeedbackDbContext> dbFactory, IDbContextFactory<WorkflowDbContext> workflowDb, OutboxSignal signal, IClock clock,
    Notification.MessageTemplates templates, IActionLinkIssuer? links = null)
{
    public const int MaxTextLength = 4000;

    /// <summary>The history action of a note.</summary>
    public const string NotedAction = "NoteAdded";

    /// <summary>The <c>message</c> of the mail to the responsible member.</summary>
    public const string MailKind = "NoteNotice";

    /// <summary>The template of that mail, in the staff language.</summary>
    public const string TemplateName = "note-notice";

    /// <summary>Adds a note by <paramref name="author"/>, a staff user name, with its history line and the owner's mail, in one commit.</summary>
    /// <exception cref="CaseValidationException">No text, too long or not storable, or the case was anonymised.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<CaseNote> AddAsync(string number, string? text, string author, string via, CancellationToken cancellationToken)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) throw new CaseValidationException(["text: write the note."]);
        if (text.Length > MaxTextLength) throw new CaseValidationException([$"text: at most {MaxTextLength} characters."]);
        if (Feedback.Workflows.Serialization.StorableJson.Problem(text) is { } problem) throw new CaseValidationException([$"text: {problem}."]);

        await using var outbox = await workflowDb.CreateDbContextAsync(cancellationToken);
        await using var tx = await outbox.Database.BeginTransactionAsync(cancellationToken);
        await using var db = CommitContext.Join(new JoinedTransaction(outbox.Database.GetDbConnection(), tx.GetDbTransaction(),
            outbox.Dialect.SupportsRowLocks ? Feedback.Workflows.DatabaseProvider.PostgreSql : Feedback.Workflows.DatabaseProvider.Sqlite));
        var feedback = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Number == number, cancellationToken)
            ?? throw new KeyNotFoundException($"No case {number}.");
        if (feedback.AnonymisedAt is not null)
            throw new CaseValidationException([$"{number} was anonymised after the retention period; it takes no new notes."]);
        var now = clock.UtcNow;
        // A note is a change to the case: retention counts its period from the last one, and would otherwise erase a
        // fresh note on an old case. Conditional, so a case anonymised since it was read takes no note.
        var touched = await db.Cases.Where(c => c.Id == feedback.Id && c.AnonymisedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (touched == 0) throw new CaseValidationException([$"{number} was anonymised after the retention period; it takes no new notes."]);
        var note = new CaseNote { CaseId = feedback.Id, At = now, Author = author, Text = text };
        db.Notes.Add(note);
        db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = author, Via = via, Action = NotedAction, Details = "A note was added." });
        await db.SaveChangesAsync(cancellationToken);

        var reader = await ReaderAsync(db, feedback, author, now, cancellationToken);
        var mailed = reader is not null;
        if (mailed)
        {
            outbox.Outbox.Add(new OutboxRecord
            {
                Id = Ids.New(), Type = Notification.NotifyCustomer.EmailOutboxType, CreatedAt = now, NextAttemptAt = now,
                Payload = Mail(feedback, note, reader!.Value.To, reader.Value.OnBehalfOf).ToJsonString(),
            });
            await outbox.SaveChangesAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        if (mailed) signal.Notify();
        return note;
    }

    /// <summary>The case's notes, oldest first.</summary>
    public async Task<IReadOnlyList<CaseNote>> ListAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notes.AsNoTracking().Where(n => n.CaseId == caseId).OrderBy(n => n.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Who hears of the note: the member responsible for the case, or while they are away their delegate (as their task
    /// mail goes); nobody when that is the author, the person the feedback is about, or someone without an address.
    /// </summary>
    private static async Task<(Organization.StaffMember To, Organization.StaffMember? OnBehalfOf)?> ReaderAsync(
        FeedbackDbContext db, FeedbackCase feedback, string author, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (feedback.Owner is not { } user || await Organization.DirectoryService.MemberAsync(db, user, cancellationToken) is not { Active: true } owner) return null;
        var (to, onBehalfOf) = (owner, (Organization.StaffMember?)null);
        if (owner.IsAbsentAt(now) && owner.Delegate is { } stand
            && await Organization.DirectoryService.MemberAsync(db, stand, cancellationToken) is { Active: true } standIn && !standIn.IsAbsentAt(now))
            (to, onBehalfOf) = (standIn, owner);
        if (to.UserName == author || to.UserName == feedback.ComplainedAbout || string.IsNullOrWhiteSpace(to.Email)) return null;
        return (to, onBehalfOf);
    }

    private JsonObject Mail(FeedbackCase feedback, CaseNote note, Organization.StaffMember to, Organization.StaffMember? onBehalfOf)
    {
        var model = new JsonObject
        {
            ["Case"] = new JsonObject { ["Number"] = feedback.Number },
            ["Author"] = note.Author, ["Text"] = note.Text, ["OnBehalfOf"] = onBehalfOf?.DisplayName,
            ["CasePage"] = links?.CasePage(feedback.Number),
        };
        return templates.StaffMail(TemplateName, to, model, feedback.Number, MailKind, note.At);
    }
}
