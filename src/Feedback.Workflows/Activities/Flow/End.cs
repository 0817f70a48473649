namespace Feedback.Workflows.Activities.Flow;

/// <summary>Ends the flowchart: every branch still waiting is cancelled.</summary>
[Activity("Elsa", "Flow", "Ends the flowchart; branches still waiting are cancelled.")]
public sealed class End : CodeActivity, ITerminalNode
{
    protected override void Execute(Runtime.ActivityExecutionContext context) { }
}
