using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Classification;

/// <summary>
/// Marks the case a food-safety risk when a person found one the rules missed (the complaint desk classifying by hand):
/// severity A, so its SLA clocks take the policy's shortest targets, and first place in every inbox.
/// </summary>
[Activity("Feedback", "Feedback",
    "Marks the case a food-safety risk found by a person: severity A (the shortest SLA targets) and first in every inbox. Follow it with an alert, as the classifier's FoodSafety port is.",
    DisplayName = "Record Food Safety Risk")]
public sealed class RecordFoodSafetyRisk : CodeActivity
{
    /// <summary>The history action this activity writes.</summary>
    public const string MarkedAction = "FoodSafetyRiskRecorded";

    [Input(Description = "Who found the risk: a staff user name; empty records the workflow.", Order = 0)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 1)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        context.Enlist(new CaseChange(number, MarkedAction, "A food-safety risk: severity A.",
            c => (c.FoodSafety, c.Severity) = (true, Severity.A), Actor: Blank(context.Get(By)) ?? "workflow"));
    }
}
