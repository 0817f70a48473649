using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Tests.Escalation;
using Feedback.Activities.Verification;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Verification;

/// <summary>VerifyRectification in memory against a stored case: the three ports, what it writes to the case, and its failures.</summary>
public sealed class VerifyRectificationTests : IAsyncLifetime
{
    private CaseStepHarness _steps = null!;

    public async Task InitializeAsync() => _steps = await CaseStepHarness.CreateAsync();

    public async Task DisposeAsync() => await _steps.DisposeAsync();

    /// <summary>verify, then one WriteLine per outcome; the Rating and Comment variables feed it when the inputs read them.</summary>
    private static JsonObject Flow(JsonObject inputs)
    {
        var flow = new FlowBuilder().Variable("Rating", "String").Variable("Comment", "String")
            .Activity("verify", "Feedback.VerifyRectification", inputs);
        foreach (var port in new[] { "Verified", "Rework", "Unsatisfied" })
            flow.Activity("on" + port, "Elsa.WriteLine", Inputs(("text", Lit(port)))).Connect("verify", "on" + port, port);
        return flow.Build();
    }

    private static string Port(CaseStepHarness.Step step)
    {
        step.State.Incidents.Should().BeEmpty();
        return step.Completed.Where(id => id.StartsWith("on", StringComparison.Ordinal)).Should().ContainSingle().Subject[2..];
    }

    [Fact]
    public void The_descriptor_has_the_three_ports_and_documented_inputs()
    {
        var info = ActivityTypeInfo.Describe(typeof(VerifyRectification));

        info.Descriptor.TypeName.Should().Be("Feedback.VerifyRectification");
        info.Outcomes.Should().Equal("Verified", "Rework", "Unsatisfied");
        var inputs = info.Descriptor.Inputs.ToDictionary(i => i.Name);
        inputs.Keys.Should().Equal("Rating", "CallbackResult", "Comment", "MaxReworks", "CaseNumber");
        inputs["MaxReworks"].DefaultValue.Should().Be(2);
        inputs.Values.Should().OnlyContain(i => i.IsWrapped && !string.IsNullOrEmpty(i.Description));
        info.Descriptor.Outputs.Select(o => o.Name).Should().Equal("Satisfied", "CustomerComment", "ReworkCount");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    public async Task A_rating_of_four_or_more_verifies_and_leaves_closing_to_the_reply(int rating)
    {
        var feedback = await _steps.AddCaseAsync(c => (c.ReworkCount, c.Status) = (1, CaseStatus.AwaitingCustomer));

        var step = await _steps.RunAsync(Flow(Inputs(("rating", Lit(rating)), ("comment", Lit("Thanks, the new batch is fine.")))), feedback.Number);

        Port(step).Should().Be("Verified");
        var after = await _steps.AfterAsync(step);
        (after.Satisfaction, after.CustomerSatisfied, after.ReworkCount).Should().Be((rating, true, 1));
        after.Status.Should().Be(CaseStatus.AwaitingCustomer, "the case closes when the customer has the written reply, which may wait for a staff member");
        var change = step.Changes.Should().ContainSingle().Subject;
        (change.Action, change.Actor).Should().Be(("CustomerSatisfied", "customer"));
        change.Details.Should().Contain($"rating {rating}/5, satisfied, with a comment on the case").And.NotContain("the new batch",
            "the history is append-only: the customer's words go on the case, where anonymisation removes them");
        after.CustomerComment.Should().Be("Thanks, the new batch is fine.");
        ((bool?)step.Output("verify", "Satisfied")).Should().BeTrue();
    }

    [Fact]
    public async Task An_unsatisfied_customer_gets_a_rework_while_reworks_remain()
    {
        var feedback = await _steps.AddCaseAsync(c => c.ReworkCount = 1);

        var step = await _steps.RunAsync(Flow(Inputs(("rating", Lit(3)), ("comment", Lit("Still smells.")))), feedback.Number);

        Port(step).Should().Be("Rework");
        var after = await _steps.AfterAsync(step);
        (after.Satisfaction, after.Status, after.ReworkCount).Should().Be((3, CaseStatus.InRectification, 2));
        step.Changes.Single().Action.Should().Be("ReworkRequested");
        step.Changes.Single().Details.Should().Contain("rework 2 of 2");
        ((int?)step.Output("verify", "ReworkCount")).Should().Be(2);
        ((string?)step.Output("verify", "CustomerComment")).Should().Be("Still smells.");
    }

    [Fact]
    public async Task At_the_rework_bound_the_customer_stays_unsatisfied_for_escalation()
    {
        var feedback = await _steps.AddCaseAsync(c => c.ReworkCount = 2);

        var step = await _steps.RunAsync(Flow(Inputs(("rating", Lit(1)))), feedback.Number);

        Port(step).Should().Be("Unsatisfied");
        var after = await _steps.AfterAsync(step);
        (after.Satisfaction, after.Status, after.ReworkCount).Should().Be((1, CaseStatus.UnderReview, 2));
        step.Changes.Single().Action.Should().Be("CustomerUnsatisfied");
    }

    [Fact]
    public async Task Max_reworks_bounds_the_loop_and_zero_escalates_at_once()
    {
        var feedback = await _steps.AddCaseAsync();
        var ports = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var step = await _steps.RunAsync(Flow(Inputs(("rating", Lit(2)), ("maxReworks", Lit(1)))), feedback.Number);
            ports.Add(Port(step));
            await _steps.CommitAsync(step);
        }
        var other = await _steps.AddCaseAsync();
        var none = await _steps.RunAsync(Flow(Inputs(("rating", Lit(2)), ("maxReworks", Lit(0)))), other.Number);

        ports.Should().Equal("Rework", "Unsatisfied", "Unsatisfied");
        Port(none).Should().Be("Unsatisfied");
    }

    [Theory]
    [InlineData("Unsatisfied: the lid still bulges", "Rework", "the lid still bulges")]
    [InlineData("dissatisfied", "Rework", null)]
    [InlineData("Not satisfied - wants a refund", "Rework", "wants a refund")]
    [InlineData("不满意，还是有异味", "Rework", "还是有异味")]
    [InlineData("Satisfied", "Verified", null)]
    [InlineData("satisfied. Thanks for calling", "Verified", "Thanks for calling")]
    [InlineData("满意，谢谢", "Verified", "谢谢")]
    public async Task A_callback_result_without_a_rating_decides_and_leaves_the_satisfaction_as_it_was(string callback, string port, string? comment)
    {
        var feedback = await _steps.AddCaseAsync(c => c.Satisfaction = 2);

        var step = await _steps.RunAsync(Flow(Inputs(("callbackResult", Lit(callback)))), feedback.Number);

        Port(step).Should().Be(port);
        (await _steps.AfterAsync(step)).Satisfaction.Should().Be(2);
        ((string?)step.Output("verify", "CustomerComment")).Should().Be(comment);
    }

    [Fact]
    public async Task The_rating_is_read_from_the_callback_forms_variable_and_an_explicit_comment_wins()
    {
        var feedback = await _steps.AddCaseAsync();
        var flow = Flow(Inputs(("rating", Js("getVariable('Rating')")), ("callbackResult", Lit("Satisfied: good")),
            ("comment", Js("getVariable('Comment')"))));

        var step = await _steps.RunAsync(flow, feedback.Number, new Dictionary<string, JsonNode?> { ["Rating"] = "4", ["Comment"] = "Replacement arrived." });

        Port(step).Should().Be("Verified");
        (await _steps.AfterAsync(step)).Satisfaction.Should().Be(4);
        ((string?)step.Output("verify", "CustomerComment")).Should().Be("Replacement arrived.");
    }

    [Theory]
    [InlineData(null, null, null, "Inputs 'Rating' and 'CallbackResult' are both empty")]
    [InlineData(6, null, null, "Input 'Rating': 6 is not a rating")]
    [InlineData(0, null, null, "Input 'Rating': 0 is not a rating")]
    [InlineData(2, "Satisfied", null, "Inputs 'Rating' (2) and 'CallbackResult' ('Satisfied') disagree")]
    [InlineData(null, "Satisfiedly", null, "Input 'CallbackResult': 'Satisfiedly' does not start with Satisfied or Unsatisfied")]
    [InlineData(null, "Maybe", null, "Input 'CallbackResult': 'Maybe'")]
    [InlineData(5, null, -1, "Input 'MaxReworks': -1 is negative")]
    public async Task Invalid_answers_become_an_incident_and_change_nothing(int? rating, string? callback, int? maxReworks, string message)
    {
        var feedback = await _steps.AddCaseAsync();
        var inputs = new JsonObject();
        if (rating is not null) inputs["rating"] = Lit(rating);
        if (callback is not null) inputs["callbackResult"] = Lit(callback);
        if (maxReworks is not null) inputs["maxReworks"] = Lit(maxReworks);

        var step = await _steps.RunAsync(Flow(inputs), feedback.Number);

        step.Incident.Should().Contain("verify").And.Contain(message);
        step.Changes.Should().BeEmpty();
    }

    [Fact]
    public async Task A_rating_that_is_not_a_number_is_an_incident_naming_the_input()
    {
        var feedback = await _steps.AddCaseAsync();

        var step = await _steps.RunAsync(Flow(Inputs(("rating", Js("getVariable('Rating')")))), feedback.Number,
            new Dictionary<string, JsonNode?> { ["Rating"] = "very good" });

        step.Incident.Should().Contain("input 'Rating'");
    }
}
