using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Cases;

/// <summary>
/// Flags the case as malicious or false feedback from within a flow (typically after a review task's decision), or
/// clears the flag. The flag and its history line are written in the step's commit; like a flag set through the API
/// (<see cref="MaliciousFlags"/>), it keeps the case out of the report figures.
/// </summary>
[Activity("Feedback", "Feedback",
    "Flags the case as malicious or false feedback (kept, but left out of every report figure and of repeat counting), or clears the flag. The reason goes into the case history.",
    DisplayName = "Flag Malicious Feedback")]
public sealed class FlagMalicious : CodeActivity
{
    [Input(Description = "Why the feedback is judged malicious or false (or, when clearing, why no longer); kept in the case history.", UIHint = InputUIHints.MultiLine, Order = 0)]
    public Input<string> Reason { get; set; } = default!;

    [Input(Description = "Who decided: a staff user name; empty records the workflow.", Order = 1)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "Clear the flag instead of setting it.", Order = 2)]
    public Input<bool> Clear { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 3)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        string reason;
        try { reason = MaliciousFlags.CheckReason(context.Get(Reason)); }
        catch (CaseValidationException e) { throw new FormatException($"Input 'Reason': {e.Message}"); }
        var clear = context.Get(Clear);
        var by = Blank(context.Get(By)) ?? "workflow";
        context.Enlist(new CaseChange(number, clear ? MaliciousFlags.ClearedAction : MaliciousFlags.FlaggedAction, reason,
            c => c.MaliciousReason = clear ? null : reason, Actor: by));
    }
}
