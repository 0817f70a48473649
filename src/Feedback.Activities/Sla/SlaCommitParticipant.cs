using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Sla;

/// <summary>
/// Keeps case clocks in step with the workflow: after the case changes of a step are written (this participant is
/// registered after the case participant), the clocks of every case the step touched are synced in the same transaction.
/// </summary>
internal sealed class SlaCommitParticipant(SlaSettingsService settings, IClock clock) : ICommitParticipant
{
    public async Task CommitAsync(CommitScope scope, CancellationToken cancellationToken)
    {
        var changes = scope.Items<CaseChange>().ToList();
        var commands = scope.Items<SlaClockCommand>().ToList();
        if (changes.Count == 0 && commands.Count == 0) return;
        var sla = await settings.GetAsync(cancellationToken);
        if (sla.Policies.Policies.Count == 0 && commands.Count == 0) return;

        var registered = scope.Items<CaseRegistered>().Select(r => r.Case).ToList();
        await using var db = Open(scope);
        await db.Database.UseTransactionAsync(scope.Transaction, cancellationToken);
        var now = clock.UtcNow;
        foreach (var number in changes.Select(c => c.CaseNumber).Concat(commands.Select(c => c.CaseNumber)).Distinct())
        {
            // A case registered in this step was inserted by this very transaction: no other one can see or lock
            // its row, and the case participant's object already holds the step's changes.
            var feedback = registered.FirstOrDefault(c => c.Number == number)
                ?? await SlaClockService.LockCaseAsync(db, number, cancellationToken)
                ?? throw new InvalidOperationException($"The workflow changed the clocks of case {number}, which does not exist.");
            var actions = changes.Where(c => c.CaseNumber == number).Select(c => c.Action).ToHashSet();
            await CaseClockSync.SyncAsync(db, feedback, sla, actions, commands.Where(c => c.CaseNumber == number), now, cancellationToken);
        }
    }

    private static FeedbackDbContext Open(CommitScope scope) => scope.Provider switch
    {
        DatabaseProvider.PostgreSql => new PostgresFeedbackDbContext(new DbContextOptionsBuilder<PostgresFeedbackDbContext>().UseNpgsql(scope.Connection).Options),
        _ => new SqliteFeedbackDbContext(new DbContextOptionsBuilder<SqliteFeedbackDbContext>().UseSqlite(scope.Connection).Options),
    };
}
