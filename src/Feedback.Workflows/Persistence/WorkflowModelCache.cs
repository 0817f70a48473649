using System.Collections.Concurrent;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Persistence;

/// <summary>Parsed definitions by version id and last change, so a burst does not re-read JSON it has seen.</summary>
public sealed class WorkflowModelCache(WorkflowDefinitionReader reader)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset UpdatedAt, WorkflowModel Model)> _models = new();

    /// <summary>The cached model of a version, if it was parsed since the version last changed.</summary>
    public bool TryGet(string versionId, DateTimeOffset updatedAt, out WorkflowModel model)
    {
        if (_models.TryGetValue(versionId, out var cached) && cached.UpdatedAt == updatedAt)
        {
            model = cached.Model;
            return true;
        }
        model = null!;
        return false;
    }

    /// <exception cref="WorkflowDefinitionException">The stored definition no longer validates (for example an activity type was removed).</exception>
    public WorkflowModel Get(WorkflowDefinitionRecord record)
    {
        if (_models.TryGetValue(record.Id, out var cached) && cached.UpdatedAt == record.UpdatedAt) return cached.Model;
        var model = reader.Read(WorkflowDefinitionReader.ParseDefinitionText(record.Json), record.DefinitionId, record.Id, record.Version);
        _models[record.Id] = (record.UpdatedAt, model);
        return model;
    }
}
