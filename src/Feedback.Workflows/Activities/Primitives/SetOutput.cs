using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Sets one of the workflow's outputs.</summary>
[Activity("Elsa", "Primitives", "Sets an output of the workflow.", DisplayName = "Set Output")]
public sealed class SetOutput : CodeActivity
{
    [Input(Description = "The output's name.")]
    public Input<string> OutputName { get; set; } = default!;

    [Input(Description = "The value.")]
    public Input<object?> OutputValue { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var name = context.Get(OutputName);
        if (string.IsNullOrWhiteSpace(name)) throw new FormatException("The output name is empty.");
        context.WorkflowContext.State.Output[name] = ValueConverter.ToJson(context.Get(OutputValue));
    }
}
