using Feedback.Activities.Cases;

namespace Feedback.Activities.Classification;

/// <summary>The verdict on one piece of feedback, with the terms that led to it.</summary>
/// <param name="Confidence">0..1: how clearly the best category beat the runner-up; 1 when food safety forced it.</param>
/// <param name="Scores">Summed term weights per category, for explaining borderline cases.</param>
public sealed record FeedbackClassification(
    string Category,
    Severity Severity,
    double Confidence,
    bool FoodSafety,
    IReadOnlyList<ClassificationEvidence> Evidence,
    IReadOnlyDictionary<string, double> Scores)
{
    /// <summary>True when the confidence is below <paramref name="threshold"/> and no food-safety rule decided.</summary>
    public bool IsUncertain(double threshold) => !FoodSafety && Confidence < threshold;
}

/// <summary>One matched rule term: what it counted for and whether a negation weakened it.</summary>
/// <param name="Term">The term as written in the rules.</param>
/// <param name="Category">The category it scored for; null for severity triggers.</param>
/// <param name="Trigger">The severity trigger's name (FoodSafety, Legal...); null for category terms.</param>
/// <param name="Severity">The severity the trigger raises to; null for category terms.</param>
/// <param name="Weight">What the match added to the category score (0 when negated with the default rules).</param>
public sealed record ClassificationEvidence(
    string Term,
    string? Category,
    string? Trigger,
    Severity? Severity,
    double Weight,
    bool Negated);
