using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Names the staff member feedback is about after it was registered (the complaint desk learns it while reading the
/// case). From then on that person is kept out as if named at intake: they read neither the case nor its tasks, and
/// every open task excludes them. Someone responsible for the case, or holding one of its tasks, must hand it on first.
/// </summary>
public sealed class ComplainedAboutNaming(IDbContextFactory<FeedbackDbContext> dbFactory, DirectoryService directory, IClock clock)
{
    /// <summary>The history action; its line gives the reason, never the name (history outlives retention).</summary>
    public const string NamedAction = "ComplainedAboutNamed";

    public const int MaxReasonLength = 1000;

    /// <summary>The case after the call, and whether the call changed it (naming the same person again does not).</summary>
    public sealed record Outcome(FeedbackCase Case, bool Changed);

    /// <exception cref="CaseValidationException">No reason, no such directory user, or the case is finished; nothing changed.</exception>
    /// <exception cref="TaskConflictException">The person is responsible for the case or holds one of its open tasks; nothing changed.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<Outcome> NameAsync(string number, string? user, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = reason?.Trim();
        var errors = new List<string>();
        if (string.IsNullOrEmpty(reason)) errors.Add("reason: say how it is known whom the feedback is about; the audit trail keeps it.");
        else if (reason.Length > MaxReasonLength) errors.Add($"reason: at most {MaxReasonLength} characters.");
        if (string.IsNullOrWhiteSpace(user)) errors.Add("user: the user name of the staff member the feedback is about.");
        if (errors.Count > 0) throw new CaseValidationException(errors);
        var userName = await directory.UserNameAsync(user!, cancellationToken)
            ?? throw new CaseValidationException([$"user: '{user!.Trim()}' is not a user name in the staff directory."]);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // The workflow first, as a step takes it: a step that already read the case (and may be assigning this very
        // person) commits before the checks below, and a step that starts now waits, and then sees the name.
        await db.LockWorkflowOfCaseAsync(number, cancellationToken);
        var feedback = await db.LockCaseAsync(number, cancellationToken) ?? throw new KeyNotFoundException($"No case {number}.");
        if (string.Equals(feedback.ComplainedAbout, userName, StringComparison.Ordinal)) return new Outcome(feedback, false);
        if (feedback.Status is CaseStatus.Replied or CaseStatus.Closed)
            throw new CaseValidationException([$"{number} is finished ({feedback.Status}); there is nothing left to keep anyone out of."]);
        if (feedback.Owner == userName)
            throw new TaskConflictException($"{userName} is responsible for {number}: give the case to someone else first (POST /api/feedback/{number}/owner), then name them.");
        var open = await db.Tasks.Where(t => t.CaseNumber == number && (t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed))
            .ToListAsync(cancellationToken);
        if (open.FirstOrDefault(t => t.Assignee == userName || t.ClaimedBy == userName) is { } held)
            throw new TaskConflictException($"{userName} holds the task '{held.Title}' of {number}; reassign it first, then name them.");

        var now = clock.UtcNow;
        foreach (var task in open.Where(t => !TaskAccess.IsExcluded(t, userName)))
            task.Excluded = [.. task.Excluded, userName];
        feedback.ComplainedAbout = userName;
        feedback.UpdatedAt = now;
        db.History.Add(new CaseHistoryEntry
        {
            CaseId = feedback.Id, At = now, Actor = actor, Via = via, Action = NamedAction,
            Details = $"The staff member the feedback is about was named; they no longer see the case or its tasks. {reason}",
        });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new Outcome(feedback, true);
    }
}
