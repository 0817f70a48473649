using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Sets the instance's correlation id (for example a case number), by which events and lookups find it.</summary>
[Activity("Elsa", "Primitives", "Sets the correlation id of the workflow instance.")]
public sealed class Correlate : CodeActivity
{
    [Input(Description = "The correlation id.")]
    public Input<string?> CorrelationId { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context) => context.CorrelationId = context.Get(CorrelationId);
}
