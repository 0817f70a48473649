using Feedback.Activities.Cases;
using Feedback.Activities.Tasks;
using Feedback.Workflows;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Persistence;

/// <summary>Writes the case changes and tasks an activity staged, inside the workflow step's own transaction.</summary>
internal sealed class CaseCommitParticipant(IClock clock) : ICommitParticipant
{
    public async Task CommitAsync(CommitScope scope, CancellationToken cancellationToken)
    {
        var registered = scope.Items<CaseRegistered>().ToList();
        var changes = scope.Items<CaseChange>().ToList();
        var opened = scope.Items<TaskOpened>().ToList();
        var closed = scope.Items<TaskClosed>().ToList();
        if (registered.Count == 0 && changes.Count == 0 && opened.Count == 0 && closed.Count == 0) return;

        var db = CommitContext.Of(scope);
        var now = clock.UtcNow;
        // A case registered in this step is inserted with the step's changes already applied: one INSERT, and one
        // repeat-facts refresh, instead of an INSERT followed by an UPDATE that re-keys it.
        foreach (var r in registered) db.Cases.Add(r.Case);
        var changed = new List<(FeedbackCase Case, CaseChange Change)>();
        foreach (var group in changes.GroupBy(c => c.CaseNumber))
        {
            // Locked now rather than by the UPDATE below, so that the clock participant that follows finds it here.
            var feedback = await CommitContext.CaseAsync(db, group.Key, cancellationToken)
                ?? throw new InvalidOperationException($"The workflow changed case {group.Key}, which does not exist.");
            foreach (var change in group)
            {
                change.Apply(feedback);
                changed.Add((feedback, change));
            }
            feedback.UpdatedAt = now;
            Reports.CaseFacts.OnStep(feedback, group.Select(c => c.Action), now);
        }
        foreach (var task in opened) db.Tasks.Add(task.Task);
        await db.SaveChangesAsync(cancellationToken); // also gives new cases their ids, for the history lines

        var history = registered
            .Select(r => new CaseHistoryEntry { CaseId = r.Case.Id, At = r.Case.CreatedAt, Actor = r.Actor, Via = r.Via, Action = "Registered", Details = $"Channel {r.Case.Channel}." })
            .Concat(changed.Select(c => new CaseHistoryEntry { CaseId = c.Case.Id, At = now, Actor = c.Change.Actor, Via = c.Change.Via, Action = c.Change.Action, Details = c.Change.Details }))
            .ToList();
        // On PostgreSQL a step's history lines (five at registration) are one statement instead of one per line.
        if (PostgresRows.Applies(db)) await PostgresRows.InsertAsync(db, history, cancellationToken);
        else db.History.AddRange(history);
        await db.SaveChangesAsync(cancellationToken);
        // A closed task is updated in place: one UPDATE, no read of the row first.
        foreach (var close in closed)
        {
            var updated = await db.Tasks.Where(t => t.Id == close.TaskId).ExecuteUpdateAsync(set => set
                .SetProperty(t => t.Status, close.Status)
                .SetProperty(t => t.CompletedBy, close.CompletedBy)
                .SetProperty(t => t.CompletedAction, close.Action)
                .SetProperty(t => t.CompletedValues, close.Values)
                .SetProperty(t => t.CompletionKey, close.CompletionKey)
                .SetProperty(t => t.CompletedAt, now), cancellationToken);
            if (updated == 0) throw new InvalidOperationException($"The workflow closed task {close.TaskId}, which does not exist.");
        }
    }
}
