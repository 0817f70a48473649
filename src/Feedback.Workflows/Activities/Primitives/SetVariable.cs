using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Assigns a value to a workflow variable, converted to the variable's type.</summary>
[Activity("Elsa", "Primitives", "Assigns a value to a variable.", DisplayName = "Set Variable")]
public sealed class SetVariable : CodeActivity
{
    [Input(Description = "The variable to assign.", UIHint = InputUIHints.VariablePicker)]
    public VariableReference? Variable { get; set; }

    [Input(Description = "The value to assign.")]
    public Input<object?> Value { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var key = Variable?.Id ?? Variable?.Name ?? throw new FormatException("No variable was chosen.");
        var declared = context.WorkflowContext.FindVariable(key);
        var type = TypeAliases.Resolve(declared.TypeName);
        if (declared.IsArray) type = type.MakeArrayType();
        context.SetVariable(declared.Id, ValueConverter.Convert(context.Get(Value), type));
    }
}

/// <summary>How a definition names a variable inside an activity (<c>{id, name, typeName}</c>).</summary>
public sealed record VariableReference(string? Id, string? Name, string? TypeName);
