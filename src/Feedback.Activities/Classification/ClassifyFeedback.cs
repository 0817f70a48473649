using System.Collections.Concurrent;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;

namespace Feedback.Activities.Classification;

/// <summary>Classifies feedback into a category and severity; food-safety cases leave through their own port so flows handle them first.</summary>
[Activity("Feedback", "Feedback",
    "Classifies feedback into a category (product quality, service attitude, delivery, after-sales, suggestion, other) and severity A/B/C. Food-safety signals take the FoodSafety port; low-confidence results take Uncertain.",
    DisplayName = "Classify Feedback")]
[FlowNode(Outcomes.Classified, Outcomes.Uncertain, Outcomes.FoodSafety)]
public sealed class ClassifyFeedback : Activity
{
    /// <summary>The ports this activity completes with.</summary>
    public static class Outcomes
    {
        public const string Classified = "Classified";
        public const string Uncertain = "Uncertain";
        public const string FoodSafety = "FoodSafety";
    }

    /// <summary>The default for <see cref="Threshold"/>.</summary>
    public const double DefaultThreshold = 0.5;

    // Rule overrides are parsed once per distinct JSON; a flow classifies many texts with the same few rule sets.
    private static readonly ConcurrentDictionary<string, FeedbackClassifier> Compiled = new(StringComparer.Ordinal);
    private const int MaxCompiled = 32;

    [Input(Description = "The feedback content as the customer wrote it.", UIHint = InputUIHints.MultiLine, Order = 0)]
    public Input<string> Text { get; set; } = default!;

    [Input(Description = "The subject line or title, if the channel has one; read together with the text.", Order = 1)]
    public Input<string?> Title { get; set; } = default!;

    [Input(Description = "Minimum confidence (0..1) for the Classified port; below it the result takes Uncertain for a person to check.",
        DefaultValue = DefaultThreshold, Order = 2)]
    public Input<double> Threshold { get; set; } = default!;

    [Input(Description = "When unsure, still record the rules' best guess as the case's category: for flows where no person classifies (otherwise the case waits, without a category, for the Uncertain path's person).",
        Order = 3)]
    public Input<bool> KeepBestGuess { get; set; } = default!;

    [Input(Description = "Classification rules as JSON to use instead of the shipped ones (see Classification/README.md); empty uses the defaults.",
        UIHint = InputUIHints.JsonEditor, Category = "Advanced", Order = 4)]
    public Input<string?> Rules { get; set; } = default!;

    [Output(Description = "ProductQuality, ServiceAttitude, DeliveryLogistics, AfterSales, Suggestion or Other.")]
    public Output<string> Category { get; set; } = default!;

    [Output(Description = "A (food safety, injury, legal or media), B (real defect or loss) or C (minor).")]
    public Output<string> Severity { get; set; } = default!;

    [Output(Description = "0..1: how clearly the chosen category beat the runner-up.")]
    public Output<double> Confidence { get; set; } = default!;

    [Output(Description = "True when the feedback reports a food-safety problem.")]
    public Output<bool> FoodSafety { get; set; } = default!;

    [Output(Description = "The matched terms: term, category or trigger, weight, negated.")]
    public Output<object> Evidence { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var classifier = Classifier(context.Get(Rules));
        var result = classifier.Classify(context.Get(Text), context.Get(Title));
        // An unset wrapped input evaluates to 0, which would make every result Classified.
        var threshold = IsSet(Threshold) ? context.Get(Threshold) : DefaultThreshold;

        context.Set(Category, result.Category);
        context.Set(Severity, result.Severity.ToString());
        context.Set(Confidence, Math.Round(result.Confidence, 4));
        context.Set(FoodSafety, result.FoodSafety);
        context.Set<object>(Evidence, result.Evidence);
        var outcome = result.FoodSafety ? Outcomes.FoodSafety : result.IsUncertain(threshold) ? Outcomes.Uncertain : Outcomes.Classified;
        await RecordOnCaseAsync(context, result, uncertain: outcome == Outcomes.Uncertain, context.Get(KeepBestGuess));
        context.Complete(outcome);
    }

    private static bool IsSet(Input? input) => input?.Expression.Value is not null;

    /// <summary>
    /// Writes the classification onto the instance's case, in the step's commit, when there is one. An uncertain
    /// result is only a guess: the case keeps no category (so its 24-hour classification clock runs on) until a person
    /// chooses one, which the assignment then records; unless the flow keeps the best guess, having nobody to ask.
    /// </summary>
    private static async ValueTask RecordOnCaseAsync(ActivityExecutionContext context, FeedbackClassification result, bool uncertain, bool keepBestGuess)
    {
        // Flows without the case store (or not correlated with a case) only use the outputs.
        if (context.Services.GetService(typeof(Cases.CaseService)) is not Cases.CaseService cases || context.CorrelationId is not { } number) return;
        if (await cases.FindForStepAsync(number, context) is null) return;
        var category = Enum.TryParse<Cases.FeedbackCategory>(result.Category, out var known) ? known : (Cases.FeedbackCategory?)null;
        var terms = string.Join(", ", result.Evidence.Take(5).Select(e => e.Term));
        var details = $"{result.Category}, severity {result.Severity}{(result.FoodSafety ? ", food safety" : "")}, confidence {result.Confidence:0.00}; matched {terms}.";
        if (uncertain && !keepBestGuess)
        {
            context.Enlist(new Cases.CaseChange(number, "ClassificationUncertain", $"Left to a person; the rules' best guess: {details}", c => c.Severity = result.Severity));
            return;
        }
        context.Enlist(new Cases.CaseChange(number, "Classified", uncertain ? $"Best guess, below the confidence threshold: {details}" : details, c =>
            {
                c.Category = category ?? Cases.FeedbackCategory.Other;
                c.Severity = result.Severity;
                c.FoodSafety = result.FoodSafety;
                if (c.Status == Cases.CaseStatus.Registered) c.Status = Cases.CaseStatus.Classified;
            }));
    }

    /// <exception cref="FormatException">The rules JSON is malformed or invalid.</exception>
    private static FeedbackClassifier Classifier(string? rulesJson)
    {
        if (string.IsNullOrWhiteSpace(rulesJson)) return FeedbackClassifier.Default;
        if (Compiled.TryGetValue(rulesJson, out var cached)) return cached;
        FeedbackClassifier classifier;
        try
        {
            classifier = FeedbackClassifier.FromJson(rulesJson);
        }
        catch (FormatException e)
        {
            throw new FormatException($"Input 'Rules': {e.Message}", e);
        }
        if (Compiled.Count >= MaxCompiled) Compiled.Clear();
        return Compiled.GetOrAdd(rulesJson, classifier);
    }
}
