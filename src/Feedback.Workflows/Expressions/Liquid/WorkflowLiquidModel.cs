using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Feedback.Workflows.Model;
using Fluid;
using Fluid.Values;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>
/// What a Liquid expression sees, as in Elsa: <c>Variables.&lt;name&gt;</c>, <c>Input.&lt;name&gt;</c>, <c>CorrelationId</c>,
/// <c>WorkflowDefinitionId</c>, <c>WorkflowDefinitionVersionId</c>, <c>WorkflowDefinitionVersion</c>, <c>WorkflowInstanceId</c>
/// (plus <c>WorkflowInstanceName</c>). Names ignore case, like Fluid's model names.
/// </summary>
internal sealed class WorkflowLiquidModel(IExpressionScope scope) : MemberObject
{
    private readonly VariablesObject _variables = new(scope);
    private readonly InputObject _input = new(scope.WorkflowInput);

    protected override FluidValue? Member(string name) => name.ToUpperInvariant() switch
    {
        "VARIABLES" => _variables,
        "INPUT" => _input,
        "CORRELATIONID" => Text(scope.CorrelationId),
        "WORKFLOWDEFINITIONID" => Text(scope.WorkflowDefinitionId),
        "WORKFLOWDEFINITIONVERSIONID" => Text(scope.WorkflowDefinitionVersionId),
        "WORKFLOWDEFINITIONVERSION" => NumberValue.Create(scope.WorkflowDefinitionVersion),
        "WORKFLOWINSTANCEID" => Text(scope.WorkflowInstanceId),
        "WORKFLOWINSTANCENAME" => Text(scope.WorkflowInstanceName),
        _ => null,
    };

    private static FluidValue Text(string? value) => value is null ? NilValue.Instance : new StringValue(value);

    /// <summary>Declared variables, read from the scope the first time a template touches each.</summary>
    private sealed class VariablesObject(IExpressionScope scope) : MemberObject
    {
        private readonly Dictionary<string, FluidValue> _read = new(StringComparer.Ordinal);

        protected override FluidValue? Member(string name)
        {
            var declared = scope.Variables.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal))
                ?? scope.Variables.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
            // An undeclared name renders as nothing, which is what Liquid does with any unknown name.
            if (declared is null) return null;
            if (!_read.TryGetValue(declared.Id, out var value))
                _read[declared.Id] = value = JsonLiquidValues.From(scope.GetVariable(declared.Id));
            return value;
        }
    }

    private sealed class InputObject(IReadOnlyDictionary<string, JsonNode?> input) : MemberObject
    {
        protected override FluidValue? Member(string name) => JsonLiquidValues.From(JsonMembers.Find(input, name));
    }
}

/// <summary>An object whose members are computed on demand; an unknown member is nil.</summary>
internal abstract class MemberObject : FluidValue
{
    protected abstract FluidValue? Member(string name);

    public override FluidValues Type => FluidValues.Object;

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) => new(Member(name) ?? NilValue.Instance);

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) => GetValueAsync(index.ToStringValue(), context);

    public override bool Equals(FluidValue other) => ReferenceEquals(this, other);

    public override bool ToBooleanValue() => true;

    public override decimal ToNumberValue() => 0;

    public override string ToStringValue() => "";

    public override object ToObjectValue() => this;

    public override ValueTask WriteToAsync(TextWriter writer, TextEncoder encoder, CultureInfo cultureInfo) => ValueTask.CompletedTask;

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
