namespace Feedback.Workflows.Runtime;

/// <summary>No workflow definition (or no published version of it) matches.</summary>
public sealed class WorkflowNotFoundException(string message) : Exception(message);

/// <summary>No workflow instance with the given id.</summary>
public sealed class WorkflowInstanceNotFoundException(string instanceId)
    : Exception($"No workflow instance '{instanceId}'.")
{
    public string InstanceId { get; } = instanceId;
}

/// <summary>The bookmark is not waiting: it was already resumed (possibly by another host at the same moment), cancelled, or never existed.</summary>
public sealed class BookmarkNotWaitingException(string bookmarkId)
    : Exception($"Bookmark '{bookmarkId}' is not waiting: it was already resumed, cancelled, or never existed.")
{
    public string BookmarkId { get; } = bookmarkId;
}

/// <summary>A start names a trigger activity the workflow version does not have; nothing was started.</summary>
public sealed class UnknownTriggerActivityException(string message) : Exception(message);

/// <summary>The instance is in a state that does not allow the operation (resuming a finished instance, retrying one without incidents...).</summary>
public sealed class WorkflowInstanceStateException(string message) : Exception(message);

/// <summary>
/// A definition (or one of its versions) cannot be deleted: instances that still need it (unfinished, or faulted and
/// so still retryable) would be left unable to resume, be retried or be cancelled.
/// </summary>
public sealed class WorkflowDefinitionInUseException(string message, int instanceCount) : InvalidOperationException(message)
{
    /// <summary>How many instances still need the definition.</summary>
    public int InstanceCount { get; } = instanceCount;
}

/// <summary>A definition or version is in a state that refuses the change (deleting a published version, retracting an unpublished definition).</summary>
public sealed class WorkflowDefinitionStateException(string message) : InvalidOperationException(message);

/// <summary>
/// A step's commit found that something it read changed meanwhile (a commit participant's check); the step was rolled
/// back and may simply be run again. Derive from it for a domain's own such conflicts, so the API answers 409.
/// </summary>
public class WorkflowStepConflictException(string message) : InvalidOperationException(message);

/// <summary>An event reached some of its receivers but not all; <see cref="AggregateException.InnerExceptions"/> holds each failure.</summary>
public sealed class EventDeliveryException(string message, IEnumerable<Exception> failures) : AggregateException(message, failures);
