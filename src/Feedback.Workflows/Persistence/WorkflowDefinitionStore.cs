using System.Text.Json.Nodes;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Saves and versions definitions the way Elsa does: saving edits the latest draft, or opens a new draft after a
/// version that is or was published or that instances run on; publishing makes exactly one version published and
/// re-indexes start triggers. Nothing is stored unless the definition validates.
/// </summary>
public sealed class WorkflowDefinitionStore(
    IDbContextFactory<WorkflowDbContext> dbFactory,
    WorkflowDefinitionReader reader,
    WorkflowModelCache models,
    TriggerIndexer triggers,
    IWorkflowScheduler scheduler,
    IClock clock)
{
    // Server-owned properties: always written from the record, never trusted from the client.
    private static readonly string[] ServerProperties = ["id", "definitionId", "version", "isLatest", "isPublished", "createdAt", "links", "$schema"];

    /// <summary>The outcome of a save.</summary>
    /// <summary>The longest definition name accepted.</summary>
    public const int MaxNameLength = 400;

    public sealed record SaveResult(WorkflowDefinitionRecord Definition, bool AlreadyPublished);

    /// <summary>Creates or updates the draft from an Elsa definition model, and publishes it when asked.</summary>
    /// <exception cref="WorkflowDefinitionException">The definition is invalid; nothing was stored.</exception>
    public async Task<SaveResult> SaveAsync(JsonObject model, bool publish, CancellationToken cancellationToken)
    {
        var definitionId = (string?)model["definitionId"];
        if (string.IsNullOrWhiteSpace(definitionId)) definitionId = Ids.New();
        // Validate before touching the database; the version numbers used here do not affect validity.
        reader.Read(model, definitionId, "validation", 1);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await LockVersionsAsync(db, definitionId, cancellationToken);
        var latest = versions.FirstOrDefault(v => v.IsLatest) ?? versions.MaxBy(v => v.Version);
        var now = clock.UtcNow;
        var stored = Strip(model);
        WorkflowDefinitionRecord record;
        if (latest is not null && await IsOpenDraftAsync(db, latest, cancellationToken))
        {
            record = latest;
            record.Json = stored.ToJsonString(ElsaJson.Options);
        }
        else
        {
            if (latest is not null) latest.IsLatest = false;
            record = new WorkflowDefinitionRecord
            {
                Id = Ids.New(),
                DefinitionId = definitionId,
                Version = (versions.Count == 0 ? 0 : versions.Max(v => v.Version)) + 1,
                IsLatest = true,
                Json = stored.ToJsonString(ElsaJson.Options),
                CreatedAt = now,
            };
            db.Definitions.Add(record);
        }
        record.Name = ((string?)model["name"])?.Trim();
        // The name is indexed for search and uniqueness checks; an index entry must stay small.
        if (record.Name is { Length: > MaxNameLength })
            throw new FormatException($"name: at most {MaxNameLength} characters (got {record.Name.Length}).");
        record.Description = ((string?)model["description"])?.Trim();
        record.UpdatedAt = now;

        var alreadyPublished = false;
        TriggerIndexer.Changes? changes = null;
        if (publish)
        {
            alreadyPublished = record.IsPublished;
            changes = await PublishVersionAsync(db, record, versions, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (changes is not null) await TriggerIndexer.ApplyScheduleAsync(changes, scheduler, cancellationToken);
        return new SaveResult(record, alreadyPublished);
    }

    /// <summary>Publishes the latest version.</summary>
    /// <exception cref="KeyNotFoundException">No such definition.</exception>
    /// <exception cref="WorkflowDefinitionException">The latest version does not validate.</exception>
    public async Task<WorkflowDefinitionRecord> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await LockVersionsAsync(db, definitionId, cancellationToken);
        var latest = versions.FirstOrDefault(v => v.IsLatest) ?? throw new KeyNotFoundException($"No workflow definition '{definitionId}'.");
        var changes = await PublishVersionAsync(db, latest, versions, cancellationToken);
        latest.UpdatedAt = clock.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await TriggerIndexer.ApplyScheduleAsync(changes, scheduler, cancellationToken);
        return latest;
    }

    /// <summary>Unpublishes the published version; new instances can no longer start, running ones go on.</summary>
    /// <exception cref="KeyNotFoundException">No such definition.</exception>
    /// <exception cref="WorkflowDefinitionStateException">No version is published.</exception>
    public async Task<WorkflowDefinitionRecord> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await LockVersionsAsync(db, definitionId, cancellationToken);
        if (versions.Count == 0) throw new KeyNotFoundException($"No workflow definition '{definitionId}'.");
        var published = versions.FirstOrDefault(v => v.IsPublished) ?? throw new WorkflowDefinitionStateException($"Workflow definition '{definitionId}' has no published version to retract.");
        published.IsPublished = false;
        published.UpdatedAt = clock.UtcNow;
        var changes = await triggers.ReplaceAsync(db, definitionId, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await TriggerIndexer.ApplyScheduleAsync(changes, scheduler, cancellationToken);
        return published;
    }

    /// <summary>Copies an older version into a new latest draft.</summary>
    /// <exception cref="KeyNotFoundException">No such definition or version.</exception>
    public async Task<WorkflowDefinitionRecord> RevertAsync(string definitionId, int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await LockVersionsAsync(db, definitionId, cancellationToken);
        var source = versions.FirstOrDefault(v => v.Version == version) ?? throw new KeyNotFoundException($"Workflow definition '{definitionId}' has no version {version}.");
        var latest = versions.First(v => v.IsLatest);
        WorkflowDefinitionRecord target;
        if (latest != source && await IsOpenDraftAsync(db, latest, cancellationToken)) target = latest;
        else
        {
            latest.IsLatest = false;
            target = new WorkflowDefinitionRecord
            {
                Id = Ids.New(), DefinitionId = definitionId, Version = versions.Max(v => v.Version) + 1,
                IsLatest = true, Json = source.Json, CreatedAt = clock.UtcNow,
            };
            db.Definitions.Add(target);
        }
        target.Json = source.Json;
        target.Name = source.Name;
        target.Description = source.Description;
        target.UpdatedAt = clock.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return target;
    }

    /// <summary>Deletes every version of a definition and its triggers, unless instances still need it.</summary>
    /// <returns>False when there was nothing to delete.</returns>
    /// <exception cref="WorkflowDefinitionInUseException">Unfinished or faulted instances run on one of its versions.</exception>
    public async Task<bool> DeleteAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await LockVersionsAsync(db, definitionId, cancellationToken);
        if (versions.Count == 0) return false;
        // Without its versions such an instance could never resume, be retried, cancelled or deleted, and a pending
        // one would stay at the head of the dispatch queue for good.
        var needing = await CountInstancesNeedingAsync(db, definitionId, cancellationToken);
        if (needing > 0) throw InUse(versions, definitionId, needing);
        var changes = await triggers.ReplaceAsync(db, definitionId, null, cancellationToken);
        db.Definitions.RemoveRange(versions);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await TriggerIndexer.ApplyScheduleAsync(changes, scheduler, cancellationToken);
        return true;
    }

    /// <summary>How many instances of the definition still need it (unfinished or faulted), which a delete would strand.</summary>
    public async Task<int> CountInstancesNeedingAsync(string definitionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await CountInstancesNeedingAsync(db, definitionId, cancellationToken);
    }

    private static Task<int> CountInstancesNeedingAsync(WorkflowDbContext db, string definitionId, CancellationToken cancellationToken) =>
        db.Instances.Where(i => i.DefinitionId == definitionId).NeedingDefinition().CountAsync(cancellationToken);

    private static WorkflowDefinitionInUseException InUse(IReadOnlyList<WorkflowDefinitionRecord> versions, string definitionId, int count) =>
        new($"Workflow definition '{versions.MaxBy(v => v.Version)?.Name ?? definitionId}' has {count} unfinished or faulted instance(s); "
            + "cancel them (faulted ones too) or let them finish before deleting the definition.", count);

    /// <summary>Finds one version of a definition by the selector (the highest matching version).</summary>
    public async Task<WorkflowDefinitionRecord?> FindAsync(string definitionId, VersionOptions options, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await options.Apply(db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId))
            .OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<WorkflowDefinitionRecord?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
    }

    /// <summary>Lists versions matching <paramref name="options"/>, newest first within each definition, one page at a time.</summary>
    public async Task<(IReadOnlyList<WorkflowDefinitionRecord> Items, int Total)> ListAsync(
        VersionOptions? options, string? searchTerm, IReadOnlyList<string>? definitionIds, IReadOnlyList<string>? ids,
        int page, int pageSize, bool orderByVersionDescending, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = options is { } selected ? selected.Apply(db.Definitions.AsNoTracking()) : db.Definitions.AsNoTracking();
        if (definitionIds is { Count: > 0 }) query = query.Where(d => definitionIds.Contains(d.DefinitionId));
        if (ids is { Count: > 0 }) query = query.Where(d => ids.Contains(d.Id));
        if (!string.IsNullOrWhiteSpace(searchTerm))
        {
            var term = searchTerm.Trim();
            query = query.Where(d => (d.Name != null && d.Name.Contains(term)) || (d.Description != null && d.Description.Contains(term)) || d.DefinitionId == term);
        }
        var total = await query.CountAsync(cancellationToken);
        query = orderByVersionDescending ? query.OrderByDescending(d => d.Version) : query.OrderBy(d => d.Name).ThenBy(d => d.DefinitionId).ThenByDescending(d => d.Version);
        var size = Math.Clamp(pageSize, 1, 500);
        return (await query.Skip(Math.Max(0, page) * size).Take(size).ToListAsync(cancellationToken), total);
    }

    /// <summary>True when no other definition uses <paramref name="name"/>.</summary>
    public async Task<bool> IsNameUniqueAsync(string name, string? exceptDefinitionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var trimmed = name.Trim();
        return !await db.Definitions.AnyAsync(d => d.Name == trimmed && d.DefinitionId != exceptDefinitionId, cancellationToken);
    }

    /// <summary>The executable form of a stored version.</summary>
    public WorkflowModel GetModel(WorkflowDefinitionRecord record) => models.Get(record);

    /// <summary>
    /// The executable form of the version matching the selector, or null. Only the version's key and change time are
    /// read unless the cache lacks that version as it is now, so a hot path does not fetch the definition JSON.
    /// </summary>
    /// <exception cref="WorkflowDefinitionException">The stored definition no longer validates.</exception>
    public async Task<WorkflowModel?> FindModelAsync(string definitionId, VersionOptions options, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var head = await options.Apply(db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId))
            .OrderByDescending(d => d.Version).Select(d => new VersionHead(d.Id, d.UpdatedAt)).FirstOrDefaultAsync(cancellationToken);
        return head is null ? null : await ModelOfAsync(db, head, cancellationToken);
    }

    /// <summary>The executable form of one version by its id, or null; cached like <see cref="FindModelAsync"/>.</summary>
    public async Task<WorkflowModel?> FindModelByIdAsync(string versionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await FindModelByIdAsync(db, versionId, cancellationToken);
    }

    /// <summary>As <see cref="FindModelByIdAsync(string, CancellationToken)"/>, on a context the caller holds (inside its transaction).</summary>
    internal async Task<WorkflowModel?> FindModelByIdAsync(WorkflowDbContext db, string versionId, CancellationToken cancellationToken)
    {
        var head = await HeadById.For(db)(db, versionId, cancellationToken);
        return head is null ? null : await ModelOfAsync(db, head, cancellationToken);
    }

    // Compiled once: every workflow step checks its version against the cache this way.
    private static readonly PerModelQuery<Func<WorkflowDbContext, string, CancellationToken, Task<VersionHead?>>> HeadById = new(() =>
        EF.CompileAsyncQuery((WorkflowDbContext db, string id, CancellationToken _) =>
            db.Definitions.Where(d => d.Id == id).Select(d => new VersionHead(d.Id, d.UpdatedAt)).FirstOrDefault()));

    private async Task<WorkflowModel?> ModelOfAsync(WorkflowDbContext db, VersionHead head, CancellationToken cancellationToken)
    {
        if (models.TryGet(head.Id, head.UpdatedAt, out var cached)) return cached;
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == head.Id, cancellationToken);
        return record is null ? null : models.Get(record);
    }

    private sealed record VersionHead(string Id, DateTimeOffset UpdatedAt);

    /// <summary>The Elsa model as the API returns it: the stored JSON with the server-owned properties filled in.</summary>
    public static JsonObject ToJson(WorkflowDefinitionRecord record)
    {
        var json = WorkflowDefinitionReader.ParseDefinitionText(record.Json);
        json["id"] = record.Id;
        json["definitionId"] = record.DefinitionId;
        json["name"] = record.Name;
        json["description"] = record.Description;
        json["createdAt"] = record.CreatedAt.ToString("O");
        json["version"] = record.Version;
        json["isLatest"] = record.IsLatest;
        json["isPublished"] = record.IsPublished;
        json["toolVersion"] ??= "3.8.0";
        return json;
    }

    private async Task<TriggerIndexer.Changes> PublishVersionAsync(WorkflowDbContext db, WorkflowDefinitionRecord record, IReadOnlyList<WorkflowDefinitionRecord> versions, CancellationToken cancellationToken)
    {
        foreach (var other in versions.Where(v => v != record))
        {
            other.IsPublished = false;
            other.IsLatest = false;
        }
        record.IsPublished = true;
        record.WasPublished = true;
        record.IsLatest = true;
        var model = reader.Read(WorkflowDefinitionReader.ParseDefinitionText(record.Json), record.DefinitionId, record.Id, record.Version);
        return await triggers.ReplaceAsync(db, record.DefinitionId, model, cancellationToken);
    }

    /// <summary>
    /// Whether a save may change <paramref name="latest"/> in place: only a draft that was never published and that no
    /// instance runs on. Otherwise the save opens the next version, so no instance finds its graph changed under it
    /// (after a retract, the retracted version stays the latest; a Studio run starts instances on the draft).
    /// </summary>
    private static async Task<bool> IsOpenDraftAsync(WorkflowDbContext db, WorkflowDefinitionRecord latest, CancellationToken cancellationToken)
    {
        if (latest.IsPublished || latest.WasPublished) return false;
        // Through the definition's index: instances have none on the version id.
        return !await db.Instances.AnyAsync(i => i.DefinitionId == latest.DefinitionId && i.DefinitionVersionId == latest.Id, cancellationToken);
    }

    private static async Task<List<WorkflowDefinitionRecord>> LockVersionsAsync(WorkflowDbContext db, string definitionId, CancellationToken cancellationToken) =>
        // Row locks make concurrent saves and publishes of one definition take turns across hosts.
        await db.Definitions.FromSqlRaw(db.Dialect.LockDefinitionSql, definitionId)
            .ToListAsync(cancellationToken);

    /// <summary>Whether <paramref name="record"/> stores exactly <paramref name="model"/> (the server's own properties aside).</summary>
    public static bool Holds(WorkflowDefinitionRecord record, JsonObject model) =>
        JsonNode.DeepEquals(JsonNode.Parse(record.Json), JsonNode.Parse(Strip(model).ToJsonString(ElsaJson.Options)));

    private static JsonObject Strip(JsonObject model)
    {
        var copy = (JsonObject)model.DeepClone();
        foreach (var name in ServerProperties) copy.Remove(name);
        return copy;
    }
}
