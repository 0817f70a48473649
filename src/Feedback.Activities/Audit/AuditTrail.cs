using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Audit;

/// <summary>
/// The audit trail of a case: its append-only history (every change, task action, reveal of personal data and
/// retention step, with who, when and through which channel). Lines are only ever added; the database rejects
/// updates and deletes of them (a trigger on both providers).
/// </summary>
public sealed class AuditTrail(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    /// <summary>Adds one line to the case's trail.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task RecordAsync(long caseId, string actor, string via, string action, string? details, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Cases.AnyAsync(c => c.Id == caseId, cancellationToken)) throw new KeyNotFoundException($"No case with id {caseId}.");
        db.History.Add(new CaseHistoryEntry { CaseId = caseId, At = clock.UtcNow, Actor = actor, Via = via, Action = action, Details = details });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds the same line to several cases' trails in one transaction (an export that revealed their contacts).</summary>
    public async Task RecordManyAsync(IReadOnlyCollection<long> caseIds, string actor, string via, string action, string? details, CancellationToken cancellationToken)
    {
        if (caseIds.Count == 0) return;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.UtcNow;
        db.History.AddRange(caseIds.Select(id => new CaseHistoryEntry { CaseId = id, At = now, Actor = actor, Via = via, Action = action, Details = details }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The case's trail, oldest first.</summary>
    public async Task<IReadOnlyList<CaseHistoryEntry>> ListAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lines = await db.History.AsNoTracking().Where(h => h.CaseId == caseId).OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return await Intake.Mail.CustomerMessages.FillAsync(db, lines, cancellationToken);
    }
}
