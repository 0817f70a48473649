using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Cases;

/// <summary>
/// Closes the case without a written reply: feedback judged malicious or false, a duplicate, or a complaint the customer
/// withdrew. The status and its history line are written in the step's commit; the case's SLA clocks stop with it.
/// </summary>
[Activity("Feedback", "Feedback",
    "Closes the case without a reply (malicious or false feedback, a duplicate, a withdrawn complaint); the reason goes into the case history and the case's SLA clocks stop.",
    DisplayName = "Close Case")]
public sealed class CloseCase : CodeActivity
{
    public const int MaxReasonLength = 1000;

    /// <summary>The history action of a case this activity closed.</summary>
    public const string ClosedAction = "Closed";

    [Input(Description = "Why the case closes without a reply; kept in the case history.", UIHint = InputUIHints.MultiLine, Order = 0)]
    public Input<string> Reason { get; set; } = default!;

    [Input(Description = "Who closes it: a staff user name; empty records the workflow.", Order = 1)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 2)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var reason = Blank(context.Get(Reason)) ?? throw new FormatException("Input 'Reason': say why the case closes without a reply; the history keeps it.");
        // The reason is often built from a staff member's own words; a long one is cut rather than failing the step.
        if (reason.Length > MaxReasonLength) reason = reason[..MaxReasonLength];
        context.Enlist(new CaseChange(number, ClosedAction, reason, c => c.Status = CaseStatus.Closed, Actor: Blank(context.Get(By)) ?? "workflow"));
    }
}
