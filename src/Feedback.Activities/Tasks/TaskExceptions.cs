namespace Feedback.Activities.Tasks;

/// <summary>No task with the given id.</summary>
public sealed class TaskNotFoundException(string taskId) : Exception($"No task {taskId}.")
{
    public string TaskId { get; } = taskId;
}

/// <summary>The request is invalid (missing or malformed input, values that do not fit the form); nothing changed.</summary>
public sealed class TaskValidationException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The acting staff member may not do this to the task (see <see cref="TaskAccess"/>); nothing changed.</summary>
public sealed class TaskForbiddenException(string message) : Exception(message);

/// <summary>The task is not in a state that allows the request: completed, cancelled, claimed by someone else, or no longer waiting.</summary>
public sealed class TaskConflictException(string message) : Exception(message);

/// <summary>
/// A task was closed or reminded while a reminder for it was prepared; the reminding step is rolled back. A step
/// conflict, so the workflow API answers 409 (run it again); a scheduled run is retried.
/// </summary>
public sealed class TaskReminderConflictException(string message) : Feedback.Workflows.Runtime.WorkflowStepConflictException(message);

/// <summary>The workflow took the completion but faulted before closing the task; the instance's incident says why.</summary>
public sealed class TaskCompletionFailedException(string message) : Exception(message);
