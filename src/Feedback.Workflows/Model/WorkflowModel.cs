using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;

namespace Feedback.Workflows.Model;

/// <summary>An executable workflow: one definition version, parsed and validated. Immutable; cached per version.</summary>
public sealed class WorkflowModel
{
    public const string FlowchartType = "Elsa.Flowchart";

    public required string DefinitionId { get; init; }
    public required string VersionId { get; init; }
    public required int Version { get; init; }
    public string? Name { get; init; }
    public required IReadOnlyList<VariableDefinition> Variables { get; init; }
    public required IReadOnlyList<ArgumentDefinition> Inputs { get; init; }
    public required IncidentStrategy IncidentStrategy { get; init; }
    public required FlowchartModel Root { get; init; }
}

/// <summary>What an activity fault does to the instance.</summary>
public enum IncidentStrategy
{
    /// <summary>The instance becomes Faulted and stops (Elsa's default).</summary>
    Fault,
    /// <summary>Other branches go on; the instance cannot finish until the incident is retried.</summary>
    ContinueWithIncidents,
}

/// <summary>The root flowchart: its activities, connections and the precomputed graph.</summary>
public sealed class FlowchartModel
{
    private readonly Dictionary<string, FlowGraph> _graphs = new();

    public FlowchartModel(string id, string nodeId, IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections)
    {
        Id = id;
        NodeId = nodeId;
        Activities = activities;
        Connections = connections;
        ById = activities.ToDictionary(a => a.Id, StringComparer.Ordinal);
    }

    public string Id { get; }
    public string NodeId { get; }
    public IReadOnlyList<ActivityNode> Activities { get; }
    public IReadOnlyList<Connection> Connections { get; }
    public IReadOnlyDictionary<string, ActivityNode> ById { get; }

    /// <summary>The activity a new instance starts at when no trigger names one (Elsa's order of preference).</summary>
    public ActivityNode? DefaultStart =>
        Activities.FirstOrDefault(a => a.Type == "Elsa.Start")
        ?? Activities.FirstOrDefault(a => a.CanStartWorkflow)
        ?? Activities.FirstOrDefault(a => Connections.All(c => c.TargetActivityId != a.Id))
        ?? Activities.FirstOrDefault();

    /// <summary>The graph as seen from <paramref name="startActivityId"/> (edge directions depend on where a run starts).</summary>
    public FlowGraph GraphFrom(string startActivityId)
    {
        lock (_graphs)
        {
            if (!_graphs.TryGetValue(startActivityId, out var graph))
                _graphs[startActivityId] = graph = new FlowGraph(this, startActivityId);
            return graph;
        }
    }
}

/// <summary>One activity in a flowchart, with its inputs already parsed.</summary>
public sealed class ActivityNode
{
    public required string Id { get; init; }
    public required string NodeId { get; init; }
    public string? Name { get; init; }
    public required string Type { get; init; }
    public required int Version { get; init; }
    public required ActivityTypeInfo TypeInfo { get; init; }
    public required bool CanStartWorkflow { get; init; }
    /// <summary>Wrapped inputs by property name.</summary>
    public required IReadOnlyDictionary<string, Expression> Expressions { get; init; }
    /// <summary>Plain (non-wrapped) input JSON by property name.</summary>
    public required IReadOnlyDictionary<string, JsonNode?> PlainInputs { get; init; }
    /// <summary>Variable ids outputs are bound to, by output property name.</summary>
    public required IReadOnlyDictionary<string, string> OutputBindings { get; init; }

    public string DisplayName => Name ?? Id;
}
