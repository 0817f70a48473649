using Feedback.Activities.Tasks;

namespace Feedback.Activities.Cases;

/// <summary>
/// A change to a case staged by an activity and written in the same commit as its workflow step, with a history line.
/// </summary>
/// <param name="Apply">Mutates the case; runs inside the commit, so it must be quick and must not do I/O.</param>
/// <param name="Action">The history verb, e.g. <c>Assigned</c>.</param>
public sealed record CaseChange(string CaseNumber, string Action, string? Details, Action<FeedbackCase> Apply, string Actor = "workflow", string Via = "workflow");

/// <summary>A task to create in the step's commit.</summary>
public sealed record TaskOpened(FeedbackTask Task);

/// <summary>
/// A task to close in the step's commit (completed, or cancelled because its branch ended). With
/// <paramref name="Holder"/>, a completion checked against who held the task: the commit fails if that changed.
/// </summary>
public sealed record TaskClosed(string TaskId, FeedbackTaskStatus Status, string? CompletedBy, string? Action, System.Text.Json.Nodes.JsonObject? Values, string? CompletionKey,
    TaskHolder? Holder = null);

/// <summary>
/// An overdue reminder sent for a task in the step's commit. The mark is set only if nobody marked or closed the task
/// since <paramref name="Previous"/> was read; otherwise the step fails (and a scheduled run tries again), so no
/// reminder goes out twice. <paramref name="History"/> is the line for the task's case: written without locking or
/// changing the case, since a reminder is neither a step of its workflow nor a change a person made.
/// </summary>
public sealed record TaskReminded(string TaskId, DateTimeOffset? Previous, DateTimeOffset At, string? CaseNumber, string History);

/// <summary>A new case, inserted in the same commit as the first step of the workflow that handles it.</summary>
public sealed record CaseRegistered(FeedbackCase Case, string Actor, string Via);
