using Feedback.Activities.Cases;
using Feedback.Activities.Sla;

namespace Feedback.Activities.Tests.Sla;

/// <summary>Which policy sets a clock's target for a case's category and severity, on the shipped policy file.</summary>
public sealed class SlaPolicyTests
{
    private static readonly SlaPolicyDocument Shipped =
        SlaPolicyDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "workflows", "sla", "policies.json")));

    [Theory]
    [InlineData(SlaClockNames.Plan, 1)]
    [InlineData(SlaClockNames.Resolution, 3)]
    [InlineData(SlaClockNames.Reply, 4)]
    public void A_severity_a_suggestion_gets_the_severity_a_targets_not_the_suggestions_weeks(string clock, int days)
    {
        Shipped.TargetFor(clock, FeedbackCategory.Suggestion, Severity.A).Should().Be(new SlaTarget(clock, TimeSpan.FromDays(days), SlaBasis.Working));
    }

    [Fact]
    public void Below_severity_a_the_category_comes_before_the_severity_and_both_before_the_default()
    {
        Shipped.TargetFor(SlaClockNames.Resolution, FeedbackCategory.Suggestion, Severity.B)!.Within.Should().Be(TimeSpan.FromDays(15));
        Shipped.TargetFor(SlaClockNames.Resolution, FeedbackCategory.ProductQuality, Severity.A)!.Within.Should().Be(TimeSpan.FromDays(3));
        Shipped.TargetFor(SlaClockNames.Resolution, FeedbackCategory.ProductQuality, Severity.C)!.Within.Should().Be(TimeSpan.FromDays(7));

        var lenientC = SlaPolicyDocument.Parse("""
            { "policies": [
              { "targets": [ { "clock": "Resolution", "within": "7.00:00:00" } ] },
              { "severity": "C", "targets": [ { "clock": "Resolution", "within": "10.00:00:00" } ] },
              { "category": "ProductQuality", "targets": [ { "clock": "Resolution", "within": "5.00:00:00" } ] },
              { "category": "Suggestion", "severity": "A", "targets": [ { "clock": "Resolution", "within": "2.00:00:00" } ] } ] }
            """);
        lenientC.TargetFor(SlaClockNames.Resolution, FeedbackCategory.ProductQuality, Severity.C)!.Within.Should().Be(TimeSpan.FromDays(5));
        lenientC.TargetFor(SlaClockNames.Resolution, FeedbackCategory.Suggestion, Severity.A)!.Within.Should().Be(TimeSpan.FromDays(2),
            "a policy naming both category and severity is the most specific of all");
    }
}
