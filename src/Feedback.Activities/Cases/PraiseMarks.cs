using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Records feedback that came in as a complaint or a suggestion (a web form, a call, a mail) as praise, as
/// <see cref="RecordPraise"/> does for a flow, and clears the mark of a case still open. Praise is counted apart in the
/// reports. Each change is a history line with its reason, and in the same commit the case's workflow receives
/// <see cref="MaliciousFlags.EventName"/> with <c>praise</c> set, the event the shipped flows wait for to withdraw the
/// rectification of feedback that needs none.
/// </summary>
public sealed class PraiseMarks(EventOutbox events, IClock clock)
{
    /// <summary>The history action of a cleared mark; a mark is <see cref="RecordPraise.PraisedAction"/>, as from a flow.</summary>
    public const string ClearedAction = "PraiseCleared";

    /// <summary>The case after the call, and whether the call changed it (marking praise again does not).</summary>
    public sealed record Outcome(FeedbackCase Case, bool Changed);

    /// <summary>Marks the case praise (<paramref name="praise"/> true) or clears the mark, with the reason for the history.</summary>
    /// <exception cref="CaseValidationException">No reason or a bad one, or clearing the mark of a closed case.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<Outcome> SetAsync(string number, bool praise, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = MaliciousFlags.CheckReason(reason, "why the feedback is praise rather than a complaint (or no longer)");
        return await events.CommitAsync(async (joined, ct) =>
        {
            await using var db = CommitContext.Join(joined);
            await Reports.RepeatFacts.LockKeysOfAsync(db, await db.Cases.AsNoTracking().Where(c => c.Number == number).ToListAsync(ct), ct);
            var feedback = await db.LockCaseAsync(number, ct) ?? throw new KeyNotFoundException($"No case {number}.");
            if (feedback.Praise == praise) return (new Outcome(feedback, false), null);
            if (!praise && feedback.Status == CaseStatus.Closed && !await ClosedBeforeMarkAsync(db, feedback, ct))
                throw new CaseValidationException([$"{feedback.Number} was closed as praise, so the mark stays; register the feedback again if it needs handling as a complaint."]);
            var now = clock.UtcNow;
            feedback.Praise = praise;
            feedback.UpdatedAt = now;
            db.History.Add(new CaseHistoryEntry
            {
                CaseId = feedback.Id, At = now, Actor = actor, Via = via,
                Action = praise ? RecordPraise.PraisedAction : ClearedAction, Details = reason,
            });
            await db.SaveChangesAsync(ct);
            return (new Outcome(feedback, true), MaliciousFlags.Event(feedback, reason, actor));
        }, cancellationToken);
    }

    /// <summary>
    /// Whether the case was closed (by Close Case) before its latest praise mark. Otherwise it closed because of the
    /// mark or with it (Record Praise in a flow), unhandled and unanswered: cleared, it would count as a complaint
    /// handled.
    /// </summary>
    private static async Task<bool> ClosedBeforeMarkAsync(FeedbackDbContext db, FeedbackCase feedback, CancellationToken cancellationToken)
    {
        var marked = await db.History.Where(h => h.CaseId == feedback.Id && h.Action == RecordPraise.PraisedAction).MaxAsync(h => (long?)h.Id, cancellationToken);
        return marked is not null
            && await db.History.AnyAsync(h => h.CaseId == feedback.Id && h.Action == CloseCase.ClosedAction && h.Id < marked, cancellationToken);
    }
}
