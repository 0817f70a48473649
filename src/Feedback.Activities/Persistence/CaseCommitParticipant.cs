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
        var reminded = scope.Items<TaskReminded>().ToList();
        if (registered.Count == 0 && changes.Count == 0 && opened.Count == 0 && closed.Count == 0 && reminded.Count == 0) return;

        var db = CommitContext.Of(scope);
        var now = clock.UtcNow;
        await RemindedAsync(db, reminded, now, cancellationToken);
        // Before any case row is locked: a reassignment or claim locks the task row and then its case's, so the same
        // order here keeps the two from deadlocking.
        var held = await LockHeldAsync(db, closed, cancellationToken);
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
        foreach (var close in closed) Close(db, close, opened.FirstOrDefault(o => o.Task.Id == close.TaskId)?.Task ?? held.GetValueOrDefault(close.TaskId), now);
        if (registered.Count == 0)
        {
            // Every case already has its id: the history lines are staged with the rest, which the commit saves once
            // the clock participant has staged its changes too.
            db.History.AddRange(History(registered, changed, now));
            return;
        }
        await CommitContext.SaveAsync(db, cancellationToken); // gives new cases their ids, for the history lines
        var history = History(registered, changed, now);
        // On PostgreSQL a registration's history lines (five) are one statement instead of one per line.
        if (PostgresRows.Applies(db)) await PostgresRows.InsertAsync(db, history, cancellationToken);
        else db.History.AddRange(history);
    }

    /// <summary>
    /// Marks the reminded tasks and stages their cases' history lines. The cases are read, not locked: a history line
    /// only needs its case to exist, and a staff member completing one of these tasks holds the case while waiting for
    /// the task row this step holds, so locking the case here could deadlock with them.
    /// </summary>
    private static async Task RemindedAsync(FeedbackDbContext db, List<TaskReminded> reminded, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (reminded.Count == 0) return;
        // In one order, so that two runs racing over the same tasks cannot lock them crosswise.
        foreach (var reminder in reminded.OrderBy(r => r.TaskId, StringComparer.Ordinal)) await MarkRemindedAsync(db, reminder, cancellationToken);
        var numbers = reminded.Where(r => r.CaseNumber is not null).Select(r => r.CaseNumber!).Distinct().ToList();
        var ids = await db.Cases.AsNoTracking().Where(c => numbers.Contains(c.Number)).Select(c => new { c.Number, c.Id }).ToDictionaryAsync(c => c.Number, c => c.Id, cancellationToken);
        foreach (var reminder in reminded)
            if (reminder.CaseNumber is { } number && ids.TryGetValue(number, out var caseId))
                db.History.Add(new CaseHistoryEntry { CaseId = caseId, At = now, Actor = "workflow", Via = "workflow", Action = RemindOverdueTasks.HistoryAction, Details = reminder.History });
    }

    /// <exception cref="TaskReminderConflictException">The task was closed or reminded since the reminder read it.</exception>
    private static async Task MarkRemindedAsync(FeedbackDbContext db, TaskReminded reminder, CancellationToken cancellationToken)
    {
        var previous = reminder.Previous;
        var marked = await db.Tasks
            .Where(t => t.Id == reminder.TaskId && (t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed)
                && (previous == null ? t.RemindedAt == null : t.RemindedAt == previous))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RemindedAt, reminder.At).SetProperty(t => t.Reminders, t => t.Reminders + 1), cancellationToken);
        if (marked == 0)
            throw new TaskReminderConflictException($"Task {reminder.TaskId} was closed or reminded while its reminder was prepared; the step is rolled back (a scheduled run tries again; run it again by hand otherwise).");
    }

    /// <summary>
    /// Locks the rows of the tasks completions close (PostgreSQL; on SQLite the step's transaction already keeps other
    /// writers out) and checks they are still held as when the completion was allowed: a reassignment, claim or new
    /// exclusion between that check and this step makes the completion a conflict, and the step is rolled back.
    /// </summary>
    /// <exception cref="TaskConflictException">A task changed hands, or closed, meanwhile.</exception>
    private static async Task<Dictionary<string, FeedbackTask>> LockHeldAsync(FeedbackDbContext db, List<TaskClosed> closed, CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, FeedbackTask>();
        foreach (var close in closed.Where(c => c.Holder is not null).OrderBy(c => c.TaskId, StringComparer.Ordinal))
        {
            var task = db.SupportsRowLocks
                ? (await db.Tasks.FromSqlRaw("SELECT * FROM feedback_tasks WHERE id = {0} FOR UPDATE", close.TaskId).ToListAsync(cancellationToken)).SingleOrDefault()
                : await db.Tasks.FirstOrDefaultAsync(t => t.Id == close.TaskId, cancellationToken);
            if (task is null || !close.Holder!.StillHolds(task))
                throw new TaskConflictException($"Task {close.TaskId} was reassigned, claimed or closed while its completion waited for its workflow; nothing was completed. Look at it again.");
            held[close.TaskId] = task;
        }
        return held;
    }

    private static List<CaseHistoryEntry> History(List<CaseRegistered> registered, List<(FeedbackCase Case, CaseChange Change)> changed, DateTimeOffset now) =>
        registered
            .Select(r => new CaseHistoryEntry { CaseId = r.Case.Id, At = r.Case.CreatedAt, Actor = r.Actor, Via = r.Via, Action = "Registered", Details = $"Channel {r.Case.Channel}." })
            .Concat(changed.Select(c => new CaseHistoryEntry { CaseId = c.Case.Id, At = now, Actor = c.Change.Actor, Via = c.Change.Via, Action = c.Change.Action, Details = c.Change.Details }))
            .ToList();

    /// <summary>
    /// Closes a task without reading it: a stand-in with only its key is attached and the closing columns are marked
    /// modified, so the save sends one UPDATE of those columns (and finds it missing if it updates no row).
    /// </summary>
    /// <param name="openedNow">The task, when this very step opened it, or read and locked it.</param>
    private static void Close(FeedbackDbContext db, TaskClosed close, FeedbackTask? openedNow, DateTimeOffset now)
    {
        var entry = openedNow is not null ? db.Entry(openedNow)
            : db.Tasks.Attach(new FeedbackTask { Id = close.TaskId, WorkflowInstanceId = "", BookmarkId = "", ActivityId = "", Title = "" });
        Set(entry, t => t.Status, close.Status);
        Set(entry, t => t.CompletedBy, close.CompletedBy);
        Set(entry, t => t.CompletedAction, close.Action);
        Set(entry, t => t.CompletedValues, close.Values);
        Set(entry, t => t.CompletionKey, close.CompletionKey);
        Set(entry, t => t.CompletedAt, now);
    }

    private static void Set<TValue>(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<FeedbackTask> entry,
        System.Linq.Expressions.Expression<Func<FeedbackTask, TValue>> column, TValue value)
    {
        var property = entry.Property(column);
        property.CurrentValue = value;
        if (entry.State != EntityState.Added) property.IsModified = true;
    }
}
