using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Api;

/// <summary>
/// Deletes single definition versions (the Studio's version history). The published version and versions that
/// unfinished or faulted (retryable) instances still run on are refused, so nothing running or startable loses its definition.
/// </summary>
public sealed class DefinitionVersionRemover(IDbContextFactory<WorkflowDbContext> dbFactory)
{
    /// <summary>Deletes one version; when it was the latest, the highest remaining version becomes the latest.</summary>
    /// <returns>False when no version has that id.</returns>
    /// <exception cref="InvalidOperationException">The version is published.</exception>
    /// <exception cref="WorkflowDefinitionInUseException">Unfinished or faulted instances use it.</exception>
    public async Task<bool> DeleteAsync(string versionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var definitionId = await db.Definitions.Where(d => d.Id == versionId).Select(d => d.DefinitionId).FirstOrDefaultAsync(cancellationToken);
        if (definitionId is null) return false;

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // The same row locks the definition store takes, so a concurrent save or publish of this definition waits.
        var versions = await db.Definitions.FromSqlRaw(db.Dialect.LockDefinitionSql, definitionId).ToListAsync(cancellationToken);
        var target = versions.FirstOrDefault(v => v.Id == versionId);
        if (target is null) return false;
        if (target.IsPublished)
            throw new InvalidOperationException($"Version {target.Version} of '{target.Name ?? definitionId}' is published; retract it before deleting it.");
        // Faulted instances count: they are finished, but a retry runs them again on this version.
        var needing = await db.Instances.Where(i => i.DefinitionVersionId == versionId).NeedingDefinition().CountAsync(cancellationToken);
        if (needing > 0)
            throw new WorkflowDefinitionInUseException(
                $"Version {target.Version} of '{target.Name ?? definitionId}' is used by {needing} unfinished or faulted instance(s); "
                + "it can be deleted once they have finished or been cancelled (faulted ones too).", needing);

        db.Definitions.Remove(target);
        if (target.IsLatest && versions.Where(v => v != target).MaxBy(v => v.Version) is { } previous)
            previous.IsLatest = true;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
