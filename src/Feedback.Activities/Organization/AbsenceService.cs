using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Organization;

/// <summary>
/// A member's own absence: from, until, and the colleague who stands in. While it lasts, assignment passes the
/// member over, mail for their tasks goes to the delegate, and the delegate may claim, reassign and complete their
/// tasks (the case history says on whose behalf).
/// </summary>
public sealed class AbsenceService(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    /// <exception cref="CaseValidationException">The period or the delegate is not valid; nothing changed.</exception>
    /// <exception cref="KeyNotFoundException">No active member <paramref name="userName"/>.</exception>
    public async Task SetAsync(string userName, DateTimeOffset? from, DateTimeOffset? until, string? delegateName, CancellationToken cancellationToken)
    {
        delegateName = string.IsNullOrWhiteSpace(delegateName) ? null : delegateName.Trim();
        var errors = new List<string>();
        if (from is null) errors.Add("from: when the absence starts is required.");
        if (until is null) errors.Add("until: when the absence ends is required.");
        else if (until <= clock.UtcNow) errors.Add("until: must be in the future.");
        if (from is not null && until is not null && until <= from) errors.Add("until: must be after from.");
        if (delegateName == userName) errors.Add("delegate: choose a colleague, not yourself.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await db.Staff.FirstOrDefaultAsync(s => s.UserName == userName && s.Active, cancellationToken)
            ?? throw new KeyNotFoundException($"No active staff member {userName}.");
        if (delegateName is not null && delegateName != userName && !await db.Staff.AnyAsync(s => s.UserName == delegateName && s.Active, cancellationToken))
            errors.Add($"delegate: '{delegateName}' is not an active staff member.");
        if (errors.Count > 0) throw new CaseValidationException(errors);
        member.AbsentFrom = from;
        member.AbsentUntil = until;
        member.Delegate = delegateName;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Ends (or withdraws) the member's absence.</summary>
    public async Task ClearAsync(string userName, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Staff.Where(s => s.UserName == userName)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AbsentFrom, (DateTimeOffset?)null).SetProperty(m => m.AbsentUntil, (DateTimeOffset?)null)
                .SetProperty(m => m.Delegate, (string?)null), cancellationToken);
    }
}
