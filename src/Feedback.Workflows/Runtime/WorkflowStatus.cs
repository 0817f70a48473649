namespace Feedback.Workflows.Runtime;

/// <summary>Elsa's coarse instance status.</summary>
public enum WorkflowStatus { Running, Finished }

/// <summary>Elsa's fine instance status; Pending, Executing and Suspended mean <see cref="WorkflowStatus.Running"/>.</summary>
public enum WorkflowSubStatus { Pending, Executing, Suspended, Finished, Cancelled, Faulted, Interrupted }

/// <summary>The state of one activity execution.</summary>
public enum ActivityStatus { Pending, Running, Completed, Canceled, Faulted }
