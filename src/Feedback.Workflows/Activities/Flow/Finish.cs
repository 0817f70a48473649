namespace Feedback.Workflows.Activities.Flow;

/// <summary>Finishes the whole workflow at once, cancelling everything still waiting.</summary>
[Activity("Elsa", "Flow", "Finishes the workflow; everything still waiting is cancelled.")]
public sealed class Finish : CodeActivity, ITerminalNode
{
    protected override void Execute(Runtime.ActivityExecutionContext context) => context.AddJournal("Finish");
}
