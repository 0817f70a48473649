using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Cases;

/// <summary>
/// Records the feedback as praise and closes it. Praise is counted apart in the reports: it is not a complaint, so it
/// has no rectification deadline, is not a negative review, and neither is nor makes another case a repeat complaint.
/// </summary>
[Activity("Feedback", "Feedback",
    "Records the feedback as praise and closes it without a reply; reports count praise apart from complaints (no deadline, no repeat, not a negative review).",
    DisplayName = "Record Praise")]
public sealed class RecordPraise : CodeActivity
{
    /// <summary>The history action of a case recorded as praise.</summary>
    public const string PraisedAction = "RecordedAsPraise";

    [Input(Description = "What to keep in the case history, e.g. where the praise came from.", UIHint = InputUIHints.MultiLine, Order = 0)]
    public Input<string?> Note { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 1)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var note = Blank(context.Get(Note)) ?? "Recorded as praise.";
        // Built from the customer's own title; a long one is cut rather than failing the step.
        if (note.Length > CloseCase.MaxReasonLength) note = note[..CloseCase.MaxReasonLength];
        context.Enlist(new CaseChange(number, PraisedAction, note, c => (c.Praise, c.Status) = (true, CaseStatus.Closed)));
    }
}
