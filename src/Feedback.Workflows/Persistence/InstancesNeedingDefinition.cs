using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Persistence;

/// <summary>Which instances still need their definition version: those that may run again, so deleting it is refused.</summary>
internal static class InstancesNeedingDefinition
{
    /// <summary>
    /// Unfinished instances (pending, running, suspended) and faulted ones: a faulted instance counts as finished, but a
    /// retry runs it again on its version, and cancelling it reads that version too.
    /// </summary>
    public static IQueryable<WorkflowInstanceRecord> NeedingDefinition(this IQueryable<WorkflowInstanceRecord> instances) =>
        instances.Where(i => i.Status != nameof(WorkflowStatus.Finished) || i.SubStatus == nameof(WorkflowSubStatus.Faulted));
}
