using Feedback.Activities.Cases;
using Feedback.Activities.Classification;

namespace Feedback.Activities.Tests.Classification;

/// <summary>Rules as admins edit them: parsing, validation errors, custom rules and the shipped defaults.</summary>
public sealed class ClassificationRulesTests
{
    private const string BillingRules = """
        {
          // Comments and trailing commas are allowed, as admins write JSON by hand.
          "categories": [
            { "name": "Billing", "groups": [ { "weight": 3, "zhHans": ["扣费", "账单"], "en": ["invoice", "charged"] } ] },
            { "name": "Other", "groups": [] },
          ],
          "triggers": [ { "name": "Regulator", "severity": "A", "en": ["ombudsman"] } ],
          "negation": { "cues": { "en": ["not"] }, "weightFactor": 0 },
          "fallbackCategory": "Other",
          "foodSafetyCategory": "Other",
        }
        """;

    [Fact]
    public void The_shipped_rules_define_the_policy_categories_and_triggers()
    {
        var rules = ClassificationRules.Default;

        rules.Categories.Select(c => c.Name).Should().Equal(Enum.GetNames<FeedbackCategory>());
        rules.Triggers.Should().Contain(t => t.FoodSafety && t.Severity == Severity.A);
        rules.Triggers.Select(t => t.Name).Should().Contain(["FoodSafety", "Injury", "Legal", "Media", "DefectOrLoss"]);
        rules.Categories.Should().OnlyContain(c => c.Groups.Any(g => g.ZhHans.Count > 0 && g.En.Count > 0));
    }

    [Fact]
    public void The_shipped_rules_round_trip_through_json()
    {
        var json = ClassificationRules.Default.ToJson();
        var again = ClassificationRules.Parse(json);

        again.ToJson().Should().Be(json);
        var text = "罐头胀罐了，我要找记者曝光";
        new FeedbackClassifier(again).Classify(text).Should().BeEquivalentTo(FeedbackClassifier.Default.Classify(text));
    }

    [Fact]
    public void Custom_rules_replace_the_defaults()
    {
        var classifier = FeedbackClassifier.FromJson(BillingRules);

        var billing = classifier.Classify("I was charged twice, I'm going to the ombudsman");
        billing.Category.Should().Be("Billing");
        billing.Severity.Should().Be(Severity.A);
        billing.Evidence.Select(e => e.Term).Should().Equal("charged", "ombudsman");

        var negated = classifier.Classify("I was not charged");
        negated.Category.Should().Be("Other", "a negated term counts nothing with weightFactor 0");

        // The shipped food-safety rules are gone with the override.
        classifier.Classify("罐头胀罐了").FoodSafety.Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Blank_rules_mean_the_defaults(string? json) =>
        FeedbackClassifier.FromJson(json).Should().BeSameAs(FeedbackClassifier.Default);

    [Fact]
    public void Malformed_json_is_a_format_error_that_says_where()
    {
        var act = () => ClassificationRules.Parse("{ \"categories\": [ { \"name\": \"A\" ");

        act.Should().Throw<FormatException>().WithMessage("Classification rules are not valid JSON at line 1*");
    }

    [Fact]
    public void A_misspelt_property_is_rejected_rather_than_ignored()
    {
        var act = () => ClassificationRules.Parse("""{ "catgories": [] }""");

        act.Should().Throw<FormatException>().WithMessage("*catgories*");
    }

    [Theory]
    [InlineData("""{ "categories": [] }""", "*at least one category*")]
    [InlineData("""{ "categories": [ { "name": "A" }, { "name": "A" } ], "fallbackCategory": "A", "foodSafetyCategory": "A" }""", "*'A' is defined twice*")]
    [InlineData("""{ "categories": [ { "name": "A" } ], "fallbackCategory": "B", "foodSafetyCategory": "A" }""", "*'fallbackCategory' 'B'*")]
    [InlineData("""{ "categories": [ { "name": "A", "groups": [ { "weight": -1 } ] } ], "fallbackCategory": "A", "foodSafetyCategory": "A" }""", "*weight -1*")]
    [InlineData("""{ "categories": [ { "name": "A" } ], "fallbackCategory": "A", "foodSafetyCategory": "A", "triggers": [ { "name": "X", "severity": "Z" } ] }""", "*not valid JSON*")]
    [InlineData("null", "*empty*")]
    public void Inconsistent_rules_are_format_errors_naming_the_problem(string json, string message)
    {
        var act = () => FeedbackClassifier.FromJson(json);

        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public void The_default_json_is_what_admins_start_from()
    {
        ClassificationRules.DefaultJson.Should().Contain("\"categories\"").And.Contain("胀罐").And.Contain("脹罐").And.Contain("swollen");
        ClassificationRules.Parse(ClassificationRules.DefaultJson).Categories.Should().HaveCount(6);
    }
}
