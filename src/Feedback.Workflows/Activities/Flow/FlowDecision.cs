using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Flow;

/// <summary>Takes the <c>True</c> or <c>False</c> path depending on a condition.</summary>
[Activity("Elsa", "Branching", "Takes the True or False path depending on a condition.", DisplayName = "Decision")]
[FlowNode(Outcomes.True, Outcomes.False)]
public sealed class FlowDecision : CodeActivity
{
    public static class Outcomes
    {
        public const string True = "True";
        public const string False = "False";
    }

    [Input(Description = "The condition to test.", UIHint = InputUIHints.SingleLine, DefaultSyntax = "JavaScript")]
    public Input<bool> Condition { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context) =>
        context.Complete(context.Get(Condition) ? Outcomes.True : Outcomes.False);
}
