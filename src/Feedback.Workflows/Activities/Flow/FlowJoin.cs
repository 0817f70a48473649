using Feedback.Workflows.Model;
using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Flow;

/// <summary>Merges branches: waits for all of them, or continues with the first and cancels the rest.</summary>
[Activity("Elsa", "Branching", "Merges branches: WaitAll waits for every branch; WaitAny continues with the first and cancels the others.", DisplayName = "Join")]
public sealed class FlowJoin : CodeActivity
{
    public const string TypeName = "Elsa.FlowJoin";

    [Input(Description = "WaitAny continues on the first branch and cancels the others; WaitAll waits for all.", DefaultValue = FlowJoinMode.WaitAny)]
    public Input<FlowJoinMode> Mode { get; set; } = default!;

    // The join decision is made by the flowchart when branches arrive; by the time this runs it only passes on.
    protected override void Execute(ActivityExecutionContext context) { }

    /// <summary>The join rule of any activity: a FlowJoin's literal mode, or the implicit join for everything else.</summary>
    internal static FlowJoinMode ModeOf(ActivityNode node)
    {
        if (node.Type != TypeName) return FlowJoinMode.WaitAllActive;
        var text = node.Expressions.GetValueOrDefault(nameof(Mode))?.ValueAsText;
        return Enum.TryParse<FlowJoinMode>(text, ignoreCase: true, out var mode) ? mode : FlowJoinMode.WaitAny;
    }
}

/// <summary>How a join treats its inbound branches.</summary>
public enum FlowJoinMode
{
    /// <summary>Continue on the first branch that arrives; cancel the others.</summary>
    WaitAny,
    /// <summary>Continue when every inbound branch was taken; skip if any was not.</summary>
    WaitAll,
    /// <summary>Continue when every inbound branch is decided and at least one was taken (the implicit join).</summary>
    WaitAllActive,
}
