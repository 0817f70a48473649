using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Marks a case as a duplicate of another (the same customer's same matter, sent twice or through two channels) and
/// clears the mark again. The duplicate is kept with its whole history but left out of every report figure and of
/// repeat counting, so one matter counts once and is not its own repeat complaint. Both cases get a history line with
/// the reason, and in the same commit the duplicate's workflow receives <see cref="MaliciousFlags.EventName"/>, the
/// event a flow already waits for to withdraw flagged feedback; its payload says <c>duplicateOf</c>.
/// </summary>
public sealed class DuplicateMarks(EventOutbox events, IClock clock)
{
    /// <summary>History actions: on the duplicate, and on the case it duplicates.</summary>
    public const string MarkedAction = "MarkedDuplicate", ClearedAction = "DuplicateMarkCleared",
        LinkedAction = "DuplicateLinked", UnlinkedAction = "DuplicateUnlinked";

    /// <summary>The longest case number <c>of</c> may be.</summary>
    public const int MaxNumberLength = 64;

    /// <summary>The case after the call, and whether the call changed it (marking again against the same case does not).</summary>
    public sealed record Outcome(FeedbackCase Case, bool Changed);

    /// <summary>Marks case <paramref name="number"/> a duplicate of <paramref name="of"/>, or clears its mark when <paramref name="of"/> is null.</summary>
    /// <exception cref="CaseValidationException">No reason or a bad one; <paramref name="of"/> unknown, the case itself, or a duplicate itself; or the case has duplicates of its own.</exception>
    /// <exception cref="KeyNotFoundException">No case <paramref name="number"/>.</exception>
    public async Task<Outcome> SetAsync(string number, string? of, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = MaliciousFlags.CheckReason(reason, "why the two are the same matter (or no longer)");
        of = string.IsNullOrWhiteSpace(of) ? null : of.Trim();
        if (of is { Length: > MaxNumberLength } || (of is not null && Feedback.Workflows.Serialization.StorableJson.Problem(of) is not null))
            throw new CaseValidationException([$"of: a case number (FB-2026-000123), at most {MaxNumberLength} characters."]);
        if (of is not null && string.Equals(of, number, StringComparison.OrdinalIgnoreCase))
            throw new CaseValidationException(["of: a case cannot be a duplicate of itself."]);
        return await events.CommitAsync(async (joined, ct) =>
        {
            await using var db = CommitContext.Join(joined);
            var pair = new[] { number, of }.OfType<string>().ToList();
            await Reports.RepeatFacts.LockKeysOfAsync(db, await db.Cases.AsNoTracking().Where(c => pair.Contains(c.Number)).ToListAsync(ct), ct);
            // Both rows locked in one order, so two desks marking the pair in opposite directions cannot deadlock.
            var feedback = (FeedbackCase?)null;
            var original = (FeedbackCase?)null;
            foreach (var n in new[] { number, of }.OfType<string>().Order(StringComparer.Ordinal))
            {
                var row = await db.LockCaseAsync(n, ct);
                if (n == number) feedback = row; else original = row;
            }
            if (feedback is null) throw new KeyNotFoundException($"No case {number}.");
            if (feedback.DuplicateOf == of) return (new Outcome(feedback, false), null);
            if (of is null) await MaliciousFlags.EnsureNotWithdrawnAsync(db, feedback, MarkedAction, "marked a duplicate", ct);
            if (of is not null)
            {
                if (original is null) throw new CaseValidationException([$"of: there is no case {of}."]);
                if (original.DuplicateOf == number)
                    throw new CaseValidationException([$"of: {of} is marked a duplicate of {number}; clear that mark first to turn the pair around."]);
                if (original.DuplicateOf is { } root)
                    throw new CaseValidationException([$"of: {of} is itself a duplicate of {root}; mark {number} a duplicate of {root}."]);
                if (await db.Cases.AnyAsync(c => c.DuplicateOf == number, ct))
                    throw new CaseValidationException([$"{number} has duplicates of its own; mark them duplicates of {of} first, or mark {of} a duplicate of {number}."]);
            }

            var now = clock.UtcNow;
            var previous = feedback.DuplicateOf;
            feedback.DuplicateOf = of;
            feedback.UpdatedAt = now;
            db.History.Add(new CaseHistoryEntry
            {
                CaseId = feedback.Id, At = now, Actor = actor, Via = via,
                Action = of is null ? ClearedAction : MarkedAction,
                Details = of is null ? $"No longer a duplicate of {previous}: {reason}" : $"A duplicate of {of}: {reason}",
            });
            // The original (old or new) says which cases duplicate it, so its handler sees the second channel too.
            if (previous is not null && await db.Cases.FirstOrDefaultAsync(c => c.Number == previous, ct) is { } before)
                db.History.Add(new CaseHistoryEntry { CaseId = before.Id, At = now, Actor = actor, Via = via, Action = UnlinkedAction, Details = $"{number} is no longer a duplicate of this case: {reason}" });
            if (original is not null)
                db.History.Add(new CaseHistoryEntry { CaseId = original.Id, At = now, Actor = actor, Via = via, Action = LinkedAction, Details = $"{number} is a duplicate of this case: {reason}" });
            await db.SaveChangesAsync(ct);
            return (new Outcome(feedback, true), MaliciousFlags.Event(feedback, reason, actor));
        }, cancellationToken);
    }
}
