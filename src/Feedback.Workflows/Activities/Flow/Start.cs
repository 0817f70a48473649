namespace Feedback.Workflows.Activities.Flow;

/// <summary>Marks where a flowchart begins.</summary>
[Activity("Elsa", "Flow", "Marks the start of the flowchart.")]
public sealed class Start : CodeActivity, IStartNode
{
    protected override void Execute(Runtime.ActivityExecutionContext context) { }
}
