using System.Text.Json.Nodes;
using Feedback.Activities.Tasks;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>Which actions and values fit a task's form, and how they are normalized.</summary>
public sealed class TaskFormTests
{
    private static readonly List<TaskField> Form =
    [
        new("measures", "Measures", "text", Required: true),
        new("deadline", "Deadline", "date"),
        new("cost", "Cost", "number"),
        new("verdict", "Verdict", "choice", Choices: ["Fixed", "Not reproducible"]),
        new("photo", "Photo", "attachment"),
    ];

    private static readonly List<string> Buttons = ["Submit", "Withdraw"];

    private static TaskForm.Submission Check(string? action, string valuesJson) =>
        TaskForm.CheckSubmission(Form, Buttons, action, JsonNode.Parse(valuesJson)!.AsObject());

    [Fact]
    public void A_complete_submission_is_normalized()
    {
        var result = Check("Submit", """{"measures":" Re-seal ","deadline":"2026-12-31T17:00:00+08:00","cost":"1e3","verdict":"Fixed","photo":"https://files.example.com/a b.jpg"}""");

        result.Errors.Should().BeEmpty();
        result.Values.ToJsonString(Feedback.Workflows.Serialization.ElsaJson.Options).Should().Be("""{"measures":"Re-seal","deadline":"2026-12-31T17:00:00+08:00","cost":1000,"verdict":"Fixed","photo":"https://files.example.com/a%20b.jpg"}""");
    }

    [Fact]
    public void Optional_fields_may_be_left_out_or_blank()
    {
        var result = Check("Withdraw", """{"measures":"x","deadline":"","cost":null}""");
        result.Errors.Should().BeEmpty();
        result.Values.Select(v => v.Key).Should().Equal("measures");
    }

    [Theory]
    [InlineData(null, """{"measures":"x"}""", "action: required; one of Submit, Withdraw.")]
    [InlineData("Approve", """{"measures":"x"}""", "action: 'Approve' is not an action of this task")]
    [InlineData("submit", """{"measures":"x"}""", "action: 'submit' is not an action")]
    [InlineData("Submit", """{}""", "values.measures: required.")]
    [InlineData("Submit", """{"measures":"   "}""", "values.measures: required.")]
    [InlineData("Submit", """{"measures":42}""", "values.measures: must be text.")]
    [InlineData("Submit", """{"measures":"x","deadline":"31/12/2026"}""", "values.deadline: must be an ISO date")]
    [InlineData("Submit", """{"measures":"x","deadline":"2026-02-30"}""", "values.deadline: must be an ISO date")]
    [InlineData("Submit", """{"measures":"x","cost":"twelve"}""", "values.cost: must be a number")]
    [InlineData("Submit", """{"measures":"x","verdict":"fixed"}""", "values.verdict: must be one of Fixed, Not reproducible.")]
    [InlineData("Submit", """{"measures":"x","photo":"ftp://files.example.com/a.jpg"}""", "values.photo: must be an http(s) link")]
    [InlineData("Submit", """{"measures":"x","photo":"/uploads/a.jpg"}""", "values.photo: must be an http(s) link")]
    [InlineData("Submit", """{"measures":"x","extra":1}""", "values.extra: the task has no such field")]
    public void A_submission_that_does_not_fit_says_exactly_what_is_wrong(string? action, string values, string expected)
    {
        var result = Check(action, values);
        result.IsValid.Should().BeFalse();
        result.Errors.Should().Contain(e => e.Contains(expected));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Check("Nope", """{"cost":"x"}""").Errors.Should().HaveCount(3);
    }

    [Fact]
    public void Definition_checks_name_each_bad_field()
    {
        var errors = TaskForm.CheckDefinition(
        [
            new("a", "A"), new("A", "A again"), new("", "nameless"), new("b", "B", "signature"), new("c", "C", "choice"), new("d", "D", Variable: "missing"),
        ], name => name == "declared");

        errors.Should().Equal(
            "Field 'A': the name is used more than once.",
            "Fields[2]: has no name.",
            "Field 'b': unknown type 'signature'; use one of text, number, date, choice, attachment.",
            "Field 'c': a choice field needs at least one choice.",
            "Field 'd': it writes to variable 'missing', which the workflow does not declare.");
    }
}
