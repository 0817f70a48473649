using System.Diagnostics;
using System.Text;
using Feedback.Activities.Cases;
using Feedback.Activities.Classification;
using Xunit.Abstractions;

namespace Feedback.Activities.Tests.Classification;

/// <summary>Measures the shipped rules against the labelled data set; prints a confusion summary when a bar is missed.</summary>
public sealed class ClassifierAccuracyTests(ITestOutputHelper output)
{
    private const double CategoryBar = 0.90;
    private const double SeverityBar = 0.85;

    public static TheoryData<string> Splits => new() { "all", "holdout" };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Category_and_severity_accuracy_meet_the_bar(string split)
    {
        var items = Select(split);
        var results = items.Select(i => (Item: i, Result: FeedbackClassifier.Default.Classify(i.Text, i.Title))).ToList();
        var categoryAccuracy = results.Count(r => r.Result.Category == r.Item.Category) / (double)results.Count;
        var severityAccuracy = results.Count(r => r.Result.Severity.ToString() == r.Item.Severity) / (double)results.Count;
        var summary = Summary(split, results, categoryAccuracy, severityAccuracy);
        output.WriteLine(summary);

        categoryAccuracy.Should().BeGreaterThanOrEqualTo(CategoryBar, summary);
        severityAccuracy.Should().BeGreaterThanOrEqualTo(SeverityBar, summary);
    }

    [Fact]
    public void Every_food_safety_item_is_flagged_and_routed_first()
    {
        var missed = FeedbackDataset.All.Where(i => i.FoodSafety)
            .Select(i => (Item: i, Result: FeedbackClassifier.Default.Classify(i.Text, i.Title)))
            .Where(r => !r.Result.FoodSafety)
            .Select(r => $"#{r.Item.Id} {r.Item.Text}")
            .ToList();

        FeedbackDataset.All.Count(i => i.FoodSafety).Should().BeGreaterThanOrEqualTo(40);
        missed.Should().BeEmpty("food-safety recall must be 100%");
    }

    [Fact]
    public void Food_safety_results_are_product_quality_severity_A()
    {
        foreach (var item in FeedbackDataset.All)
        {
            var result = FeedbackClassifier.Default.Classify(item.Text, item.Title);
            if (!result.FoodSafety) continue;
            result.Category.Should().Be(nameof(FeedbackCategory.ProductQuality));
            result.Severity.Should().Be(Severity.A);
        }
    }

    [Fact]
    public void Data_set_covers_languages_categories_and_severities()
    {
        var all = FeedbackDataset.All;
        all.Should().HaveCountGreaterThanOrEqualTo(200);
        all.Select(i => i.Id).Should().OnlyHaveUniqueItems();
        all.Select(i => i.Language).Distinct().Should().BeEquivalentTo(["zh-CN", "zh-TW", "en"]);
        all.Select(i => i.Category).Distinct().Should().BeEquivalentTo(Enum.GetNames<FeedbackCategory>());
        all.Select(i => i.Severity).Distinct().Should().BeEquivalentTo(["A", "B", "C"]);
        all.Count(i => i.Split == "holdout").Should().BeGreaterThanOrEqualTo(100);
    }

    private static List<LabelledFeedback> Select(string split) =>
        FeedbackDataset.All.Where(i => split == "all" || i.Split == split).ToList();

    private static string Summary(string split, List<(LabelledFeedback Item, FeedbackClassification Result)> results, double category, double severity)
    {
        var text = new StringBuilder();
        text.AppendLine($"[{split}] {results.Count} items: category {category:P1}, severity {severity:P1}");
        foreach (var language in results.GroupBy(r => r.Item.Language))
            text.AppendLine($"  {language.Key}: category {language.Count(r => r.Result.Category == r.Item.Category)}/{language.Count()}, severity {language.Count(r => r.Result.Severity.ToString() == r.Item.Severity)}/{language.Count()}");
        text.AppendLine("  category confusion (expected -> predicted: count):");
        foreach (var cell in results.Where(r => r.Result.Category != r.Item.Category)
                     .GroupBy(r => (r.Item.Category, r.Result.Category)).OrderByDescending(g => g.Count()))
            text.AppendLine($"    {cell.Key.Item1} -> {cell.Key.Item2}: {cell.Count()}");
        text.AppendLine("  severity confusion (expected -> predicted: count):");
        foreach (var cell in results.Where(r => r.Result.Severity.ToString() != r.Item.Severity)
                     .GroupBy(r => (r.Item.Severity, r.Result.Severity)).OrderByDescending(g => g.Count()))
            text.AppendLine($"    {cell.Key.Item1} -> {cell.Key.Item2}: {cell.Count()}");
        text.AppendLine("  misclassified:");
        foreach (var (item, result) in results.Where(r => r.Result.Category != r.Item.Category || r.Result.Severity.ToString() != r.Item.Severity))
            text.AppendLine($"    #{item.Id} [{item.Category}/{item.Severity} -> {result.Category}/{result.Severity} {result.Confidence:0.00}] {item.Title} {item.Text}");
        return text.ToString();
    }
}
