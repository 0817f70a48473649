using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Flow;

/// <summary>Starts several branches at once, one per named outcome.</summary>
[Activity("Elsa", "Branching", "Starts one branch per listed outcome, all at once.", DisplayName = "Fork (flow)")]
public sealed class FlowFork : CodeActivity
{
    [Input(Description = "The branch names; each becomes an outcome.", UIHint = InputUIHints.DynamicOutcomes, DefaultSyntax = "Object")]
    public Input<List<string>> Branches { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var branches = context.Get(Branches)?.Where(b => !string.IsNullOrWhiteSpace(b)).ToArray() ?? [];
        context.Complete(branches.Length > 0 ? branches : [Model.Connection.DefaultOutcome]);
    }
}
