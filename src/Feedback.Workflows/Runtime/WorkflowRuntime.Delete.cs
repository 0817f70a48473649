using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Runtime;

// Deleting instances. Only finished ones (Finished, Cancelled or Faulted) go: a running instance still owns bookmarks,
// timers and, in the feedback domain, open tasks of a case; it must be cancelled first, which journals why it stopped.
public sealed partial class WorkflowRuntime
{
    /// <summary>Deletes a finished instance with its journal and any bookmarks left; outbox messages it sent are still delivered.</summary>
    /// <exception cref="WorkflowInstanceNotFoundException">No such instance.</exception>
    /// <exception cref="WorkflowInstanceStateException">It has not finished; cancel it first.</exception>
    public async Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(instanceId, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await LockInstanceAsync(db, instanceId, cancellationToken);
        if (record.Status != nameof(WorkflowStatus.Finished))
            throw new WorkflowInstanceStateException($"Instance '{instanceId}' is {record.Status} ({record.SubStatus}); cancel it before deleting it.");
        var timers = await db.Bookmarks.Where(b => b.WorkflowInstanceId == instanceId && b.ResumeAt != null).Select(b => b.Id).ToListAsync(cancellationToken);
        await db.Bookmarks.Where(b => b.WorkflowInstanceId == instanceId).ExecuteDeleteAsync(cancellationToken);
        await db.Journal.Where(j => j.WorkflowInstanceId == instanceId).ExecuteDeleteAsync(cancellationToken);
        await db.Instances.Where(i => i.Id == instanceId).ExecuteDeleteAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        // A finished instance normally has no bookmarks; should one have been left, its timer must not fire for nothing.
        await scheduler.UnscheduleBookmarksAsync(timers, cancellationToken);
    }
}
