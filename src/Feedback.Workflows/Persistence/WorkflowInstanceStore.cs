using Feedback.Workflows.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Persistence;

/// <summary>Filter for listing instances (Elsa's instance-list body).</summary>
public sealed record InstanceFilter
{
    public int Page { get; init; }
    public int PageSize { get; init; } = 50;
    public string? SearchTerm { get; init; }
    public string? DefinitionId { get; init; }
    public IReadOnlyList<string>? DefinitionIds { get; init; }
    public string? CorrelationId { get; init; }
    /// <summary>Workflow statuses (Running, Finished) to include; all when empty.</summary>
    public IReadOnlyList<string>? Statuses { get; init; }
    public IReadOnlyList<string>? SubStatuses { get; init; }
    public bool? HasIncidents { get; init; }
    public bool Descending { get; init; } = true;
}

/// <summary>Read-only queries over instances and their journals.</summary>
public sealed class WorkflowInstanceStore(IDbContextFactory<WorkflowDbContext> dbFactory)
{
    public async Task<WorkflowInstanceRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
    }

    public async Task<(IReadOnlyList<WorkflowInstanceRecord> Items, int Total)> ListAsync(InstanceFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Instances.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.DefinitionId)) query = query.Where(i => i.DefinitionId == filter.DefinitionId);
        if (filter.DefinitionIds is { Count: > 0 } ids) query = query.Where(i => ids.Contains(i.DefinitionId));
        if (!string.IsNullOrWhiteSpace(filter.CorrelationId)) query = query.Where(i => i.CorrelationId == filter.CorrelationId);
        if (filter.Statuses is { Count: > 0 } statuses) query = query.Where(i => statuses.Contains(i.Status));
        if (filter.SubStatuses is { Count: > 0 } subs) query = query.Where(i => subs.Contains(i.SubStatus));
        if (filter.HasIncidents is { } has) query = has ? query.Where(i => i.IncidentCount > 0) : query.Where(i => i.IncidentCount == 0);
        if (!string.IsNullOrWhiteSpace(filter.SearchTerm))
        {
            var term = filter.SearchTerm.Trim();
            query = query.Where(i => i.Id == term || i.CorrelationId == term || (i.Name != null && i.Name.Contains(term)));
        }
        var total = await query.CountAsync(cancellationToken);
        query = filter.Descending ? query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id) : query.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id);
        var size = Math.Clamp(filter.PageSize, 1, 500);
        var items = await query.Skip(Math.Max(0, filter.Page) * size).Take(size).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<(IReadOnlyList<JournalRecord> Items, int Total)> JournalAsync(string instanceId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Journal.AsNoTracking().Where(j => j.WorkflowInstanceId == instanceId);
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(j => j.Sequence).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>Ids of the instances still running on a definition version, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<string>> RunningIdsOfVersionAsync(string definitionVersionId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Instances.AsNoTracking().Where(i => i.DefinitionVersionId == definitionVersionId && i.Status == "Running")
            .OrderBy(i => i.CreatedAt).Select(i => i.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<int> CountBookmarksAsync(string instanceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Bookmarks.CountAsync(b => b.WorkflowInstanceId == instanceId, cancellationToken);
    }
}
