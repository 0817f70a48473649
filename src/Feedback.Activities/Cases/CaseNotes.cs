using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Internal notes on a case (<see cref="CaseNote"/>): how a helping department reports what it did, and how the staff
/// on a case keep what they learned outside the flow's own steps. Each note is also a history line, without its text:
/// the history outlives retention, which removes the notes' text with the case's other personal data.
/// </summary>
public sealed class CaseNotes(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    public const int MaxTextLength = 4000;

    /// <summary>The history action of a note.</summary>
    public const string NotedAction = "NoteAdded";

    /// <summary>Adds a note by <paramref name="author"/>, a staff user name, with its history line, in one commit.</summary>
    /// <exception cref="CaseValidationException">No text, too long or not storable, or the case was anonymised.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<CaseNote> AddAsync(string number, string? text, string author, string via, CancellationToken cancellationToken)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) throw new CaseValidationException(["text: write the note."]);
        if (text.Length > MaxTextLength) throw new CaseValidationException([$"text: at most {MaxTextLength} characters."]);
        if (Feedback.Workflows.Serialization.StorableJson.Problem(text) is { } problem) throw new CaseValidationException([$"text: {problem}."]);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var feedback = await db.Cases.AsNoTracking().Where(c => c.Number == number).Select(c => new { c.Id, c.AnonymisedAt })
            .FirstOrDefaultAsync(cancellationToken) ?? throw new KeyNotFoundException($"No case {number}.");
        if (feedback.AnonymisedAt is not null)
            throw new CaseValidationException([$"{number} was anonymised after the retention period; it takes no new notes."]);
        var now = clock.UtcNow;
        var note = new CaseNote { CaseId = feedback.Id, At = now, Author = author, Text = text };
        db.Notes.Add(note);
        db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = author, Via = via, Action = NotedAction, Details = "A note was added." });
        await db.SaveChangesAsync(cancellationToken);
        return note;
    }

    /// <summary>The case's notes, oldest first.</summary>
    public async Task<IReadOnlyList<CaseNote>> ListAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Notes.AsNoTracking().Where(n => n.CaseId == caseId).OrderBy(n => n.Id).ToListAsync(cancellationToken);
    }
}
