using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Tests.Expressions;

/// <summary>An in-memory <see cref="IExpressionScope"/> that records variable writes.</summary>
internal sealed class FakeExpressionScope : IExpressionScope
{
    private readonly List<VariableDefinition> _variables = [];
    private readonly Dictionary<string, JsonNode?> _values = new(StringComparer.Ordinal);

    public string WorkflowInstanceId { get; set; } = "instance-1";
    public string WorkflowDefinitionId { get; set; } = "definition-1";
    public string WorkflowDefinitionVersionId { get; set; } = "definition-1:v3";
    public int WorkflowDefinitionVersion { get; set; } = 3;
    public string? CorrelationId { get; set; }
    public string? WorkflowInstanceName { get; set; }
    public IReadOnlyList<VariableDefinition> Variables => _variables;
    public Dictionary<string, JsonNode?> Input { get; } = new(StringComparer.Ordinal);
    public IReadOnlyDictionary<string, JsonNode?> WorkflowInput => Input;
    public Dictionary<(string Activity, string? Output), JsonNode?> Outputs { get; } = [];
    public JsonNode? LastResult { get; set; }
    public List<(string Name, JsonNode? Value)> Writes { get; } = [];

    public FakeExpressionScope WithVariable(string name, JsonNode? value, string? id = null)
    {
        var definition = new VariableDefinition(id ?? name, name, "Object", false, null);
        _variables.Add(definition);
        _values[definition.Id] = value;
        return this;
    }

    public FakeExpressionScope WithInput(string name, JsonNode? value)
    {
        Input[name] = value;
        return this;
    }

    public JsonNode? GetVariable(string nameOrId) => _values[Resolve(nameOrId).Id];

    public void SetVariable(string nameOrId, JsonNode? value)
    {
        var definition = Resolve(nameOrId);
        _values[definition.Id] = value;
        Writes.Add((definition.Name, value));
    }

    public JsonNode? GetActivityOutput(string activityIdOrName, string? outputName) =>
        Outputs.TryGetValue((activityIdOrName, outputName), out var value) ? value : null;

    public ExpressionContext Context() => new(this, "activity-1", "Test.Activity", "Value");

    private VariableDefinition Resolve(string nameOrId) =>
        _variables.FirstOrDefault(v => v.Id == nameOrId)
        ?? _variables.FirstOrDefault(v => v.Name == nameOrId)
        ?? throw new KeyNotFoundException($"No variable '{nameOrId}'.");
}
