using System.Text.Json.Nodes;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Flags feedback as malicious or false (a fake review, a claim about an order that never existed) and clears the
/// flag again. A flagged case is kept with its whole history but left out of every report figure and of repeat
/// counting. Each change is a history line with its reason, and in the same commit the event <see cref="EventName"/>
/// is queued for the case's workflow, so a flow that waits for it (an Event activity) can react, e.g. withdraw the
/// rectification; a flow that does not wait for it goes on as before.
/// </summary>
public sealed class MaliciousFlags(EventOutbox events, IClock clock)
{
    /// <summary>
    /// The event the case's workflow receives when a flag changes, this one, a duplicate mark
    /// (<see cref="DuplicateMarks"/>) or a praise mark (<see cref="PraiseMarks"/>). Its payload has <c>caseNumber</c>,
    /// <c>malicious</c>, <c>duplicateOf</c> and <c>praise</c> (the case's flags after the change), <c>reason</c> and
    /// <c>by</c>.
    /// </summary>
    public const string EventName = "FeedbackFlagged";

    public const int MaxReasonLength = 1000;

    /// <summary>History actions of the two changes.</summary>
    public const string FlaggedAction = "FlaggedMalicious", ClearedAction = "MaliciousFlagCleared";

    /// <summary>The case after the call, and whether the call changed it (flagging again with the same reason does not).</summary>
    public sealed record Outcome(FeedbackCase Case, bool Changed);

    /// <summary>Flags the case (<paramref name="malicious"/> true) or clears its flag, with the reason for the history.</summary>
    /// <exception cref="CaseValidationException">No reason, or one that is too long or not storable.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<Outcome> SetAsync(string number, bool malicious, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = CheckReason(reason);
        return await events.CommitAsync(async (joined, ct) =>
        {
            await using var db = CommitContext.Join(joined);
            await Reports.RepeatFacts.LockKeysOfAsync(db, await db.Cases.AsNoTracking().Where(c => c.Number == number).ToListAsync(ct), ct);
            var feedback = await db.LockCaseAsync(number, ct) ?? throw new KeyNotFoundException($"No case {number}.");
            var wanted = malicious ? reason : null;
            // Clearing a case that is not flagged, or flagging again for the same reason, records nothing new.
            if (feedback.MaliciousReason == wanted) return (new Outcome(feedback, false), null);
            if (!malicious) await EnsureNotWithdrawnAsync(db, feedback, FlaggedAction, "flagged as malicious or false", ct);
            var now = clock.UtcNow;
            feedback.MaliciousReason = wanted;
            feedback.UpdatedAt = now;
            db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = actor, Via = via, Action = malicious ? FlaggedAction : ClearedAction, Details = reason });
            await db.SaveChangesAsync(ct);
            return (new Outcome(feedback, true), Event(feedback, reason, actor));
        }, cancellationToken);
    }

    /// <summary>
    /// Refuses to clear a flag once a flow withdrew the case because of it (closed it with Close Case after the flag):
    /// cleared, the case would count in the reports as handled although nobody handled or answered it.
    /// </summary>
    /// <exception cref="CaseValidationException">The case was closed after it was flagged.</exception>
    internal static async Task EnsureNotWithdrawnAsync(FeedbackDbContext db, FeedbackCase feedback, string flagAction, string flagged, CancellationToken cancellationToken)
    {
        if (feedback.Status != CaseStatus.Closed) return;
        var last = await db.History.AsNoTracking()
            .Where(h => h.CaseId == feedback.Id && (h.Action == flagAction || h.Action == CloseCase.ClosedAction))
            .OrderByDescending(h => h.Id).Select(h => h.Action).FirstOrDefaultAsync(cancellationToken);
        if (last == CloseCase.ClosedAction && await db.History.AnyAsync(h => h.CaseId == feedback.Id && h.Action == flagAction, cancellationToken))
            throw new CaseValidationException([$"{feedback.Number} was withdrawn (closed without a reply) while it was {flagged}, so the mark stays and the case stays out of the figures; register the feedback again if it needs handling."]);
    }

    /// <summary>The <see cref="EventName"/> event for the case's workflow, with the case's flags as they now are.</summary>
    internal static QueuedEvent Event(FeedbackCase feedback, string reason, string actor) =>
        new(EventName, feedback.Number, feedback.WorkflowInstanceId, new JsonObject
        {
            ["caseNumber"] = feedback.Number, ["malicious"] = feedback.MaliciousReason is not null, ["duplicateOf"] = feedback.DuplicateOf,
            ["praise"] = feedback.Praise,
            ["reason"] = reason, ["by"] = actor,
        });

    /// <summary>The trimmed reason.</summary>
    /// <param name="reason">The reason given.</param>
    /// <param name="what">What the reason must say, for the error message.</param>
    /// <exception cref="CaseValidationException">Missing, too long, or not storable text.</exception>
    public static string CheckReason(string? reason, string what = "why the feedback is judged malicious or false (or no longer)")
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw new CaseValidationException([$"reason: say {what}; it is kept in the case history."]);
        if (reason.Length > MaxReasonLength) throw new CaseValidationException([$"reason: at most {MaxReasonLength} characters."]);
        if (Feedback.Workflows.Serialization.StorableJson.Problem(reason) is { } problem) throw new CaseValidationException([$"reason: {problem}."]);
        return reason;
    }
}
