using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>
/// Gives a case to another member responsible for it: the owner leaves, is away for long, or turns out to be the person
/// the feedback is about. The open tasks given to the old owner move with the case, and the flow's later tasks for the
/// owner (a rework's plan, the rectification) go to the new one, as do SLA warnings and note notices.
/// </summary>
public sealed class CaseOwnerChange(IDbContextFactory<FeedbackDbContext> dbFactory, DirectoryService directory, IClock clock)
{
    /// <summary>The history action.</summary>
    public const string ChangedAction = "OwnerChanged";

    public const int MaxReasonLength = 1000;

    /// <summary>The case after the call, whether it changed, and the open tasks that moved to the new owner.</summary>
    public sealed record Outcome(FeedbackCase Case, bool Changed, IReadOnlyList<string> MovedTaskIds);

    /// <exception cref="CaseValidationException">No reason, no such active member, the person the feedback is about, or the case is finished; nothing changed.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<Outcome> ChangeAsync(string number, string? to, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = reason?.Trim();
        var errors = new List<string>();
        if (string.IsNullOrEmpty(reason)) errors.Add("reason: say why the case changes hands; the history keeps it.");
        else if (reason.Length > MaxReasonLength) errors.Add($"reason: at most {MaxReasonLength} characters.");
        if (string.IsNullOrWhiteSpace(to)) errors.Add("to: the user name of the member who becomes responsible.");
        if (errors.Count > 0) throw new CaseValidationException(errors);
        var member = await directory.FindAsync(to!.Trim(), cancellationToken);
        if (member is not { Active: true }) throw new CaseValidationException([$"to: '{to.Trim()}' is not an active member of the staff directory."]);
        if (!member.Roles.Any(r => r != StaffRole.Auditor))
            throw new CaseValidationException([$"to: {member.UserName} is an auditor; an auditor reads cases but is not responsible for one."]);
        if (member.IsAbsentAt(clock.UtcNow))
            throw new CaseValidationException([$"to: {member.UserName} is away; choose someone who is here, or their delegate."]);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // The workflow first, as a step takes it: a step opening the owner's next task either commits before this
        // change (and its task moves below) or starts after it and finds the new owner.
        await db.LockWorkflowOfCaseAsync(number, cancellationToken);
        var feedback = await db.LockCaseAsync(number, cancellationToken) ?? throw new KeyNotFoundException($"No case {number}.");
        if (string.Equals(feedback.Owner, member.UserName, StringComparison.Ordinal)) return new Outcome(feedback, false, []);
        // Before the assignment the flow would overwrite the choice; the complaint desk manager's assignment task is the way then.
        if (feedback.Owner is null)
            throw new CaseValidationException([$"{number} is not assigned yet; the flow chooses who is responsible (with nobody eligible, the complaint desk manager does), and the case can change hands after that."]);
        if (feedback.Status is CaseStatus.Replied or CaseStatus.Closed)
            throw new CaseValidationException([$"{number} is finished ({feedback.Status}); nobody needs to be responsible for it any more."]);
        if (string.Equals(feedback.ComplainedAbout, member.UserName, StringComparison.OrdinalIgnoreCase))
            throw new CaseValidationException([$"to: the feedback is about {member.UserName}; they may not be responsible for it."]);

        var previous = feedback.Owner;
        var moved = await db.Tasks
            .Where(t => t.CaseNumber == number && t.Assignee == previous && (t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed))
            .ToListAsync(cancellationToken);
        if (moved.FirstOrDefault(t => TaskAccess.IsExcluded(t, member.UserName)) is { } excluded)
            throw new CaseValidationException([$"to: {member.UserName} may not do the open task '{excluded.Title}' (they reviewed or rectified what it is about); choose someone else."]);
        var now = clock.UtcNow;
        foreach (var task in moved) (task.Assignee, task.ClaimedBy, task.Status) = (member.UserName, null, FeedbackTaskStatus.Open);
        feedback.Owner = member.UserName;
        feedback.UpdatedAt = now;
        var tasks = moved.Count == 0 ? "" : $" Open tasks moved with it: {string.Join(", ", moved.Select(t => $"'{t.Title}'"))}.";
        db.History.Add(new CaseHistoryEntry
        {
            CaseId = feedback.Id, At = now, Actor = actor, Via = via, Action = ChangedAction,
            Details = $"Responsible: {member.UserName} instead of {previous}.{tasks} {reason}",
        });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new Outcome(feedback, true, moved.Select(t => t.Id).ToList());
    }
}
