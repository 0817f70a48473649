using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Classification;

/// <summary>
/// Marks the case a food-safety risk when a person found one the rules missed (the complaint desk classifying by hand):
/// severity A, so its SLA clocks take the policy's shortest targets, first place in every inbox, and the category the
/// rules give food-safety feedback, so that it is routed to the same department as a risk the rules found.
/// </summary>
[Activity("Feedback", "Feedback",
    "Marks the case a food-safety risk found by a person: severity A (the shortest SLA targets), first in every inbox, and the food-safety category (product quality), whatever category the person chose. Follow it with an alert, as the classifier's FoodSafety port is, and assign by the case's category.",
    DisplayName = "Record Food Safety Risk")]
public sealed class RecordFoodSafetyRisk : CodeActivity
{
    /// <summary>The history action this activity writes.</summary>
    public const string MarkedAction = "FoodSafetyRiskRecorded";

    // The built-in rules' food-safety category (ProductQuality), read once.
    private static readonly Lazy<FeedbackCategory> RulesCategory =
        new(() => Enum.Parse<FeedbackCategory>(ClassificationRules.Default.FoodSafetyCategory, ignoreCase: true));

    [Input(Description = "Who found the risk: a staff user name; empty records the workflow.", Order = 0)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "The category the case takes; empty: the one the built-in classification rules give food-safety feedback (ProductQuality).", Order = 1)]
    public Input<string?> Category { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 2)]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Output(Description = "The category the case now has, for routing (Assign Responsibility's Category).")]
    public Output<string> RecordedCategory { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var category = Blank(context.Get(Category)) is { } text
            ? Enum.TryParse<FeedbackCategory>(text, ignoreCase: true, out var named) && Enum.IsDefined(named) ? named
                : throw new FormatException($"Input 'Category': '{text}' is not one of {string.Join(", ", Enum.GetNames<FeedbackCategory>())}.")
            : RulesCategory.Value;
        // The same as the rules' own food-safety path: a risk is handled by the department for the product's quality,
        // whatever kind of feedback it came in as (a suggestion that mentions a swollen can).
        context.Enlist(new CaseChange(number, MarkedAction, $"A food-safety risk: severity A, category {category}.",
            c => (c.FoodSafety, c.Severity, c.Category) = (true, Severity.A, category), Actor: Blank(context.Get(By)) ?? "workflow"));
        context.Set(RecordedCategory, category.ToString());
    }
}
