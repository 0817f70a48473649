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

        var db = CommitContext.Of(scope);
        var now = clock.UtcNow;
        foreach (var number in changes.Select(c => c.CaseNumber).Concat(commands.Select(c => c.CaseNumber)).Distinct())
        {
            // A case this step registered or changed is already in the shared context, with the step's changes and
            // (on PostgreSQL) locked; a registered one was inserted by this very transaction, so no other sees it.
            var feedback = await CommitContext.CaseAsync(db, number, cancellationToken)
                ?? throw new InvalidOperationException($"The workflow changed the clocks of case {number}, which does not exist.");
            var actions = changes.Where(c => c.CaseNumber == number).Select(c => c.Action).ToHashSet();
            await CaseClockSync.SyncAsync(db, feedback, sla, actions, commands.Where(c => c.CaseNumber == number), now, cancellationToken);
        }
    }
}
