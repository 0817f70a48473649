using System.Text.Json.Nodes;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>
/// What a Liquid expression sees, as in Elsa: <c>Variables.&lt;name&gt;</c>, <c>Input.&lt;name&gt;</c>, <c>CorrelationId</c>,
/// <c>WorkflowDefinitionId</c>, <c>WorkflowDefinitionVersionId</c>, <c>WorkflowDefinitionVersion</c>, <c>WorkflowInstanceId</c>
/// (plus <c>WorkflowInstanceName</c>). Names ignore case, like Fluid's model names.
/// </summary>
internal sealed class WorkflowLiquidModel(IExpressionScope scope) : ILiquidObject
{
    private static readonly string[] Names =
    [
        "Variables", "Input", "CorrelationId", "WorkflowDefinitionId", "WorkflowDefinitionVersionId",
        "WorkflowDefinitionVersion", "WorkflowInstanceId", "WorkflowInstanceName",
    ];

    private readonly VariablesObject _variables = new(scope);
    private readonly InputObject _input = new(scope.WorkflowInput);

    public IEnumerable<string> Keys => Names;

    public bool TryGetMember(string name, out object? value)
    {
        var canonical = Array.Find(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        value = canonical switch
        {
            "Variables" => _variables,
            "Input" => _input,
            "CorrelationId" => scope.CorrelationId,
            "WorkflowDefinitionId" => scope.WorkflowDefinitionId,
            "WorkflowDefinitionVersionId" => scope.WorkflowDefinitionVersionId,
            "WorkflowDefinitionVersion" => (decimal)scope.WorkflowDefinitionVersion,
            "WorkflowInstanceId" => scope.WorkflowInstanceId,
            "WorkflowInstanceName" => scope.WorkflowInstanceName,
            _ => null,
        };
        return canonical is not null;
    }

    /// <summary>Declared variables, read from the scope the first time a template touches each.</summary>
    private sealed class VariablesObject(IExpressionScope scope) : ILiquidObject
    {
        private readonly Dictionary<string, JsonNode?> _read = new(StringComparer.Ordinal);

        public IEnumerable<string> Keys => scope.Variables.Select(v => v.Name).Distinct(StringComparer.Ordinal);

        public bool TryGetMember(string name, out object? value)
        {
            var declared = Find(name);
            if (declared is null)
            {
                // An undeclared name renders as nothing, which is what Liquid does with any unknown name.
                value = null;
                return false;
            }

            if (!_read.TryGetValue(declared.Id, out var node))
            {
                node = scope.GetVariable(declared.Id);
                _read[declared.Id] = node;
            }

            value = node;
            return true;
        }

        private VariableDefinition? Find(string name) =>
            scope.Variables.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal))
            ?? scope.Variables.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class InputObject(IReadOnlyDictionary<string, JsonNode?> input) : ILiquidObject
    {
        public IEnumerable<string> Keys => input.Keys;

        public bool TryGetMember(string name, out object? value)
        {
            value = InputExpressionHandler.Find(input, name);
            return value is not null || input.Keys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        }
    }
}
