using System.Text.Json.Nodes;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>Builds Elsa-shaped definition JSON compactly for tests.</summary>
public sealed class FlowBuilder
{
    private readonly JsonArray _activities = new();
    private readonly JsonArray _connections = new();
    private readonly JsonArray _variables = new();
    private string? _incidentStrategy;

    public FlowBuilder Activity(string id, string type, JsonObject? inputs = null, bool canStart = false)
    {
        var json = new JsonObject
        {
            ["id"] = id, ["name"] = id, ["type"] = type, ["version"] = 1,
            ["customProperties"] = new JsonObject { ["canStartWorkflow"] = canStart },
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0 } } },
        };
        foreach (var (key, value) in inputs ?? new JsonObject()) json[key] = value?.DeepClone();
        _activities.Add(json);
        return this;
    }

    public FlowBuilder Connect(string source, string target, string port = "Done")
    {
        _connections.Add(new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
            ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
            ["vertices"] = new JsonArray(),
        });
        return this;
    }

    /// <summary>Connects a chain of activities with Done edges.</summary>
    public FlowBuilder Chain(params string[] ids)
    {
        for (var i = 1; i < ids.Length; i++) Connect(ids[i - 1], ids[i]);
        return this;
    }

    public FlowBuilder Variable(string name, string typeName = "Object", string? value = null)
    {
        _variables.Add(new JsonObject { ["id"] = name.ToLowerInvariant() + "-id", ["name"] = name, ["typeName"] = typeName, ["isArray"] = false, ["value"] = value });
        return this;
    }

    public FlowBuilder ContinueWithIncidents()
    {
        _incidentStrategy = "ContinueWithIncidentsStrategy";
        return this;
    }

    public JsonObject Build(string? definitionId = null, string name = "Test flow") => new()
    {
        ["definitionId"] = definitionId,
        ["name"] = name,
        ["version"] = 1,
        ["toolVersion"] = "3.8.0",
        ["variables"] = _variables.DeepClone(),
        ["inputs"] = new JsonArray(),
        ["outputs"] = new JsonArray(),
        ["outcomes"] = new JsonArray(),
        ["customProperties"] = new JsonObject(),
        ["options"] = new JsonObject { ["incidentStrategyType"] = _incidentStrategy, ["autoUpdateConsumingWorkflows"] = false },
        ["root"] = new JsonObject
        {
            ["id"] = "flow1", ["type"] = "Elsa.Flowchart", ["version"] = 1, ["name"] = "Flowchart1",
            ["activities"] = _activities.DeepClone(), ["connections"] = _connections.DeepClone(),
        },
    };

    /// <summary>A wrapped input: <c>{typeName, expression: {type, value}}</c>.</summary>
    public static JsonObject In(string syntax, JsonNode? value, string typeName = "Object") =>
        new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } };

    public static JsonObject Js(string script) => In("JavaScript", script);
    public static JsonObject Lit(JsonNode? value) => In("Literal", value);

    /// <summary>Inputs object from name/value pairs.</summary>
    public static JsonObject Inputs(params (string Name, JsonNode? Value)[] inputs)
    {
        var json = new JsonObject();
        foreach (var (name, value) in inputs) json[name] = value;
        return json;
    }
}
