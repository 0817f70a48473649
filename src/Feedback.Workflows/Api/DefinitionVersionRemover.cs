using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
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
    /// <exception cref="WorkflowDefinitionStateException">The version is published.</exception>
    /// <exception cref="WorkflowDefinitionInUseException">Unfinished or faulted instances use it.</exception>
    public async Task<bool> DeleteAsync(string versionId, CancellationToken cancellationToken) =>
        await DeleteManyAsync([versionId], cancellationToken) > 0;

    /// <summary>
    /// Deletes versions all or none, in one transaction: every version is checked before any is deleted, so a batch
    /// with one refused version deletes nothing. Unknown ids are skipped. Where the latest version goes, the highest
    /// remaining one becomes the latest.
    /// </summary>
    /// <returns>How many versions were deleted.</returns>
    /// <exception cref="WorkflowDefinitionStateException">A version is published (and none uses instances).</exception>
    /// <exception cref="WorkflowDefinitionInUseException">Unfinished or faulted instances use a version.</exception>
    public async Task<int> DeleteManyAsync(IReadOnlyCollection<string> versionIds, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var definitionIds = await db.Definitions.Where(d => versionIds.Contains(d.Id)).Select(d => d.DefinitionId).Distinct().ToListAsync(cancellationToken);
        if (definitionIds.Count == 0) return 0;

        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versionsOf = new Dictionary<string, List<WorkflowDefinitionRecord>>();
        var targets = new List<WorkflowDefinitionRecord>();
        var refusals = new List<string>();
        var needing = 0;
        // The same row locks the definition store takes, so a concurrent save or publish of these definitions waits;
        // taken in one order, so that two batches over the same definitions cannot deadlock.
        foreach (var definitionId in definitionIds.Order(StringComparer.Ordinal))
        {
            var versions = await db.Definitions.FromSqlRaw(db.Dialect.LockDefinitionSql, definitionId).ToListAsync(cancellationToken);
            versionsOf[definitionId] = versions;
            foreach (var target in versions.Where(v => versionIds.Contains(v.Id)))
            {
                if (target.IsPublished)
                {
                    refusals.Add($"Version {target.Version} of '{target.Name ?? definitionId}' is published; retract it before deleting it.");
                    continue;
                }
                // Faulted instances count: they are finished, but a retry runs them again on this version.
                var count = await db.Instances.Where(i => i.DefinitionVersionId == target.Id).NeedingDefinition().CountAsync(cancellationToken);
                if (count > 0)
                {
                    refusals.Add($"Version {target.Version} of '{target.Name ?? definitionId}' is used by {count} unfinished or faulted instance(s); "
                        + "it can be deleted once they have finished or been cancelled (faulted ones too).");
                    needing += count;
                    continue;
                }
                targets.Add(target);
            }
        }
        if (refusals.Count > 0)
        {
            var message = (versionIds.Count > 1 ? "Nothing was deleted. " : "") + string.Join(" ", refusals);
            throw needing > 0 ? new WorkflowDefinitionInUseException(message, needing) : new WorkflowDefinitionStateException(message);
        }

        db.Definitions.RemoveRange(targets);
        foreach (var versions in versionsOf.Values)
            if (versions.Any(v => v.IsLatest && targets.Contains(v)) && versions.Except(targets).MaxBy(v => v.Version) is { } previous)
                previous.IsLatest = true;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return targets.Count;
    }
}
