using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Sets the display name of the workflow instance.</summary>
[Activity("Elsa", "Primitives", "Sets the name of the workflow instance.", DisplayName = "Set Name")]
public sealed class SetName : CodeActivity
{
    [Input(Description = "The instance name.")]
    public Input<string?> Value { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context) => context.WorkflowContext.WorkflowInstanceName = context.Get(Value);
}
