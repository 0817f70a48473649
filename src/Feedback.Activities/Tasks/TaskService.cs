using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Tasks;

/// <summary>
/// Staff work on the tasks <see cref="StaffTask"/> opens: list, look up, claim, reassign and complete them. Who may
/// do what is <see cref="TaskAccess"/>; completing resumes the waiting workflow exactly once.
/// </summary>
public sealed class TaskService(IDbContextFactory<FeedbackDbContext> dbFactory, WorkflowRuntime runtime, IClock clock)
{
    /// <summary>The longest accepted idempotency key, as for intake.</summary>
    public const int MaxKeyLength = 100;
    public const int MaxReasonLength = 1000;

    /// <summary>The outcome of a completion: the completed task, and whether this call only repeated an earlier one.</summary>
    public sealed record Completion(FeedbackTask Task, bool Replayed);

    /// <summary>Tasks matching <paramref name="filter"/>, newest first.</summary>
    /// <exception cref="TaskValidationException">The filter is invalid.</exception>
    public async Task<TaskPage> ListAsync(TaskFilter filter, CancellationToken cancellationToken)
    {
        var errors = filter.Check();
        if (errors.Count > 0) throw new TaskValidationException(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Tasks.AsNoTracking();
        if (filter.VisibleToDepartment is not null || filter.VisibleToUser is not null)
        {
            var (visibleDepartment, visibleUser) = (filter.VisibleToDepartment, filter.VisibleToUser);
            query = query.Where(t => (visibleDepartment != null && t.DepartmentId == visibleDepartment)
                || (visibleUser != null && (t.Assignee == visibleUser || t.ClaimedBy == visibleUser)));
        }
        // Nobody sees the tasks of a case about themselves, organisation-wide readers included.
        if ((filter.NotAbout ?? filter.VisibleToUser)?.ToLowerInvariant() is { } reader)
            query = query.Where(t => t.CaseNumber == null || !db.Cases.Any(c => c.Number == t.CaseNumber && c.ComplainedAbout != null && c.ComplainedAbout.ToLower() == reader));
        if (filter.Assignee is { } assignee) query = query.Where(t => t.Assignee == assignee || t.ClaimedBy == assignee);
        if (filter.Department is { } department) query = query.Where(t => t.DepartmentId == department);
        if (filter.Role is { } roleName)
        {
            var role = Enum.GetNames<StaffRole>().First(n => n.Equals(roleName, StringComparison.OrdinalIgnoreCase));
            query = query.Where(t => t.Role == role);
        }
        if (filter.CaseNumber is { } caseNumber) query = query.Where(t => t.CaseNumber == caseNumber);
        if (filter.WorkflowInstanceId is { } instanceId) query = query.Where(t => t.WorkflowInstanceId == instanceId);
        if (filter.Statuses is { Count: > 0 } statuses) query = query.Where(t => statuses.Contains(t.Status));
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id)
            .Skip(filter.Page * filter.PageSize).Take(filter.PageSize).ToListAsync(cancellationToken);
        return new TaskPage(items, total, filter.Page, filter.PageSize);
    }

    /// <exception cref="TaskNotFoundException">No such task.</exception>
    public async Task<FeedbackTask> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FindAsync(db, taskId, cancellationToken);
    }

    /// <summary>Whether <paramref name="user"/> may complete the task now: in their own name, or standing in for an absent colleague.</summary>
    public async Task<bool> MayCompleteAsync(FeedbackTask task, string user, CancellationToken cancellationToken)
    {
        if (task.Status is FeedbackTaskStatus.Completed or FeedbackTaskStatus.Cancelled || string.IsNullOrWhiteSpace(user)) return false;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var self = await StaffAsync(db, user, cancellationToken);
        return TaskAccess.MayWork(task, user, self) || await StandInForAsync(db, task, user, self, cancellationToken) is not null;
    }

    /// <summary>Takes an open task so that only <paramref name="user"/> can complete it; claiming one's own claim again is harmless.</summary>
    /// <exception cref="TaskNotFoundException">No such task.</exception>
    /// <exception cref="TaskForbiddenException">The user may not work on it.</exception>
    /// <exception cref="TaskConflictException">It is completed, cancelled, or claimed by someone else.</exception>
    public async Task<FeedbackTask> ClaimAsync(string taskId, string user, CancellationToken cancellationToken)
    {
        user = RequireUser(user);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await FindAsync(db, taskId, cancellationToken);
        var self = await StaffAsync(db, user, cancellationToken);
        var onBehalfOf = await StandInForAsync(db, task, user, self, cancellationToken);
        if (onBehalfOf is null)
        {
            EnsureActive(task, user);
            if (task.Status == FeedbackTaskStatus.Claimed) return task;
            if (!TaskAccess.MayWork(task, user, self))
                throw new TaskForbiddenException($"Task {task.Id} is for {TaskAccess.Audience(task)}; {user} may not claim it.");
        }
        else EnsureNotFinished(task);

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // Conditional on Open (or on the absent member's own claim), so two claimants (or a claim racing a completion) cannot both succeed.
        var claimed = await db.Tasks.Where(t => t.Id == taskId && (t.Status == FeedbackTaskStatus.Open || (t.Status == FeedbackTaskStatus.Claimed && t.ClaimedBy == onBehalfOf)))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, FeedbackTaskStatus.Claimed).SetProperty(t => t.ClaimedBy, user), cancellationToken);
        if (claimed == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            var now = await FindAsync(db, taskId, cancellationToken);
            EnsureActive(now, user);
            if (now.Status == FeedbackTaskStatus.Claimed) return now;
            throw new TaskConflictException($"Task {taskId} changed while it was being claimed; look at it again.");
        }
        await AddHistoryAsync(db, task.CaseNumber, user, "TaskClaimed", $"Task '{task.Title}' claimed by {user}{OnBehalf(onBehalfOf)}.", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return await FindAsync(db, taskId, cancellationToken);
    }

    /// <summary>Hands an open or claimed task to another staff member (it becomes open for them); the reason goes to the case history.</summary>
    /// <exception cref="TaskValidationException">No target or reason, or the target is not an active staff member.</exception>
    /// <exception cref="TaskNotFoundException">No such task.</exception>
    /// <exception cref="TaskForbiddenException">The user may not reassign it.</exception>
    /// <exception cref="TaskConflictException">It is completed or cancelled.</exception>
    public async Task<FeedbackTask> ReassignAsync(string taskId, string user, string? to, string? reason, CancellationToken cancellationToken)
    {
        user = RequireUser(user);
        to = to?.Trim();
        reason = reason?.Trim();
        var errors = new List<string>();
        if (string.IsNullOrEmpty(to)) errors.Add("to: the user name of the new assignee is required.");
        if (string.IsNullOrEmpty(reason)) errors.Add("reason: say why the task changes hands; it is kept in the case history.");
        else if (reason.Length > MaxReasonLength) errors.Add($"reason: at most {MaxReasonLength} characters.");
        if (errors.Count > 0) throw new TaskValidationException(errors);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var task = await FindAsync(db, taskId, cancellationToken);
        EnsureNotFinished(task);
        var self = await StaffAsync(db, user, cancellationToken);
        var onBehalfOf = await StandInForAsync(db, task, user, self, cancellationToken);
        if (onBehalfOf is null && !TaskAccess.MayReassign(task, user, self))
            throw new TaskForbiddenException($"Task {task.Id} is for {TaskAccess.Audience(task)}; {user} may not reassign it.");
        if (await StaffAsync(db, to!, cancellationToken) is not { Active: true })
            throw new TaskValidationException([$"to: '{to}' is not an active staff member."]);
        if (TaskAccess.IsExcluded(task, to!))
            throw new TaskValidationException([$"to: '{to}' may not do this task: the feedback is about them, or they rectified what it reviews."]);
        if ((task.ClaimedBy ?? task.Assignee) == to)
            throw new TaskValidationException([$"to: the task is already {to}'s."]);

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Tasks
            .Where(t => t.Id == taskId && (t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, to).SetProperty(t => t.ClaimedBy, (string?)null)
                .SetProperty(t => t.Status, FeedbackTaskStatus.Open), cancellationToken);
        if (changed == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            EnsureNotFinished(await FindAsync(db, taskId, cancellationToken));
            throw new TaskConflictException($"Task {taskId} changed while it was being reassigned; look at it again.");
        }
        await AddHistoryAsync(db, task.CaseNumber, user, "TaskReassigned", $"Task '{task.Title}' from {TaskAccess.Audience(task)} to {to}{OnBehalf(onBehalfOf)}: {reason}", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return await FindAsync(db, taskId, cancellationToken);
    }

    /// <summary>
    /// Completes a task with an action and form values and resumes its workflow. The first completion wins: repeating
    /// it with the same <paramref name="idempotencyKey"/> (by the same user) returns the first result, anything else
    /// after it is a conflict. Without a key every call counts as a new completion.
    /// </summary>
    /// <exception cref="TaskValidationException">The action or values do not fit the task; nothing changed.</exception>
    /// <exception cref="TaskNotFoundException">No such task.</exception>
    /// <exception cref="TaskForbiddenException">The user may not complete it.</exception>
    /// <exception cref="TaskConflictException">Completed differently, cancelled, claimed by someone else, or its workflow stopped.</exception>
    /// <exception cref="TaskCompletionFailedException">The workflow faulted while taking the completion.</exception>
    public async Task<Completion> CompleteAsync(string taskId, string user, string? action, JsonObject? values, string? idempotencyKey, CancellationToken cancellationToken)
    {
        user = RequireUser(user);
        if (idempotencyKey is { Length: > MaxKeyLength }) throw new TaskValidationException([$"Idempotency-Key: at most {MaxKeyLength} characters."]);
        var key = string.IsNullOrWhiteSpace(idempotencyKey) ? "server:" + Ids.New() : idempotencyKey.Trim();

        FeedbackTask task;
        string? onBehalfOf;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            task = await FindAsync(db, taskId, cancellationToken);
            if (task.Status == FeedbackTaskStatus.Completed) return Replay(task, user, key);
            var self = await StaffAsync(db, user, cancellationToken);
            onBehalfOf = await StandInForAsync(db, task, user, self, cancellationToken);
            if (onBehalfOf is null)
            {
                EnsureActive(task, user);
                if (!TaskAccess.MayWork(task, user, self))
                    throw new TaskForbiddenException($"Task {task.Id} is for {TaskAccess.Audience(task)}; {user} may not complete it.");
            }
            else EnsureNotFinished(task);
        }
        var submission = TaskForm.CheckSubmission(task.Fields, task.Actions, action, values);
        if (!submission.IsValid) throw new TaskValidationException(submission.Errors);

        // The check above read the task before the workflow's turn; the step closes it only if it is still held so.
        var completion = new StaffTaskCompletion(action, submission.Values, user, key, onBehalfOf, TaskHolder.Of(task));
        WorkflowState state;
        try
        {
            state = await runtime.ResumeAsync(task.BookmarkId, task.WorkflowInstanceId,
                new Dictionary<string, JsonNode?> { [StaffTask.CompletionInputKey] = JsonSerializer.SerializeToNode(completion, ElsaJson.Options) },
                cancellationToken);
        }
        catch (BookmarkNotWaitingException)
        {
            // Someone resumed it first (the runtime lets exactly one through); answer from what that completion wrote.
            var now = await GetAsync(taskId, cancellationToken);
            if (now.Status == FeedbackTaskStatus.Completed) return Replay(now, user, key);
            EnsureActive(now, user);
            throw new TaskConflictException($"Task {taskId} is no longer waiting: its workflow moved on or was cancelled.");
        }
        catch (Exception e) when (e is WorkflowInstanceStateException or WorkflowInstanceNotFoundException)
        {
            throw new TaskConflictException($"Task {taskId} cannot be completed: {e.Message}");
        }

        var done = await GetAsync(taskId, cancellationToken);
        if (done.Status != FeedbackTaskStatus.Completed)
            throw new TaskCompletionFailedException($"The workflow took the completion of task {taskId} but faulted: {state.Incidents.LastOrDefault()?.Message ?? "no incident was recorded"}.");
        return new Completion(done, Replayed: false);
    }

    /// <summary>The first result again for the same user and key; otherwise a conflict that says what happened.</summary>
    private static Completion Replay(FeedbackTask task, string user, string key) =>
        task.CompletionKey == key && task.CompletedBy == user
            ? new Completion(task, Replayed: true)
            : throw new TaskConflictException($"Task {task.Id} was already completed by {task.CompletedBy} with '{task.CompletedAction}' at {task.CompletedAt:u}.");

    /// <exception cref="TaskConflictException">The task is finished, or claimed by someone other than <paramref name="user"/>.</exception>
    private static void EnsureActive(FeedbackTask task, string user)
    {
        EnsureNotFinished(task);
        if (task.Status == FeedbackTaskStatus.Claimed && task.ClaimedBy != user)
            throw new TaskConflictException($"Task {task.Id} is claimed by {task.ClaimedBy}; ask them, or have it reassigned.");
    }

    /// <exception cref="TaskConflictException">The task is completed or cancelled.</exception>
    private static void EnsureNotFinished(FeedbackTask task)
    {
        if (task.Status == FeedbackTaskStatus.Completed)
            throw new TaskConflictException($"Task {task.Id} was already completed by {task.CompletedBy} with '{task.CompletedAction}' at {task.CompletedAt:u}.");
        if (task.Status == FeedbackTaskStatus.Cancelled)
            throw new TaskConflictException($"Task {task.Id} was cancelled: its branch of the workflow ended.");
    }

    /// <summary>
    /// The absent member <paramref name="user"/> stands in for on this task, or null. For a claimed or assigned task:
    /// its claimant, else its assignee, when they are absent now and named the user, an active member, as their
    /// delegate. For a task open to a role: an absent member who may work on it and named the user as delegate. The
    /// task's exclusions bind a delegate as they bind everyone. <paramref name="self"/> is the user's own directory entry
    /// (null when they are not in it), read once by the caller, which needs it too.
    /// </summary>
    private async Task<string?> StandInForAsync(FeedbackDbContext db, FeedbackTask task, string user, StaffMember? self, CancellationToken cancellationToken)
    {
        if (TaskAccess.IsExcluded(task, user)) return null;
        var now = clock.UtcNow;
        string? absentee;
        if ((task.ClaimedBy ?? task.Assignee) is { } owner)
        {
            if (owner == user) return null;
            absentee = await StaffAsync(db, owner, cancellationToken) is { } absent && absent.Delegate == user && absent.IsAbsentAt(now) ? owner : null;
        }
        else
        {
            // Someone who may do the role's task themselves does it in their own name.
            if (TaskAccess.MayWork(task, user, self)) return null;
            var delegating = await db.Staff.AsNoTracking().Where(s => s.Delegate == user && s.Active).ToListAsync(cancellationToken);
            absentee = delegating.Where(s => s.IsAbsentAt(now) && TaskAccess.MayWork(task, s.UserName, s))
                .Select(s => s.UserName).Order(StringComparer.Ordinal).FirstOrDefault();
        }
        if (absentee is null) return null;
        return self is { Active: true } ? absentee : null;
    }

    private static string OnBehalf(string? absent) => absent is null ? "" : $" on behalf of {absent}";

    private static string RequireUser(string? user) =>
        string.IsNullOrWhiteSpace(user) ? throw new TaskValidationException(["user: the acting staff member's user name is required."]) : user.Trim();

    // Compiled once: this runs on every task request; a compiled query skips the per-call LINQ translation.
    private static readonly PerModelQuery<Func<FeedbackDbContext, string, CancellationToken, Task<FeedbackTask?>>> TaskById = new(() =>
        EF.CompileAsyncQuery((FeedbackDbContext db, string id, CancellationToken _) => db.Tasks.AsNoTracking().FirstOrDefault(t => t.Id == id)));

    private static async Task<FeedbackTask> FindAsync(FeedbackDbContext db, string taskId, CancellationToken cancellationToken) =>
        await TaskById.For(db)(db, taskId, cancellationToken) ?? throw new TaskNotFoundException(taskId);

    private static Task<StaffMember?> StaffAsync(FeedbackDbContext db, string user, CancellationToken cancellationToken) =>
        DirectoryService.MemberAsync(db, user, cancellationToken);

    /// <summary>Adds a history line to the task's case, if it has one, inside the caller's transaction.</summary>
    private async Task AddHistoryAsync(FeedbackDbContext db, string? caseNumber, string actor, string action, string details, CancellationToken cancellationToken)
    {
        if (caseNumber is null) return;
        var now = clock.UtcNow;
        var caseId = await db.Cases.Where(c => c.Number == caseNumber).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"Task's case {caseNumber} does not exist.");
        db.History.Add(new CaseHistoryEntry { CaseId = caseId, At = now, Actor = actor, Via = "api", Action = action, Details = details });
        await db.SaveChangesAsync(cancellationToken);
        await db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, now), cancellationToken);
    }
}
