using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Escalation;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Escalation;

/// <summary>Escalate in memory against the example organisation: levels, recipients, staged changes, mail and failures.</summary>
public sealed class EscalateTests : IAsyncLifetime
{
    private CaseStepHarness _steps = null!;

    public async Task InitializeAsync() => _steps = await CaseStepHarness.CreateAsync();

    public async Task DisposeAsync() => await _steps.DisposeAsync();

    /// <summary>escalate, then one WriteLine per outcome so tests see the port taken.</summary>
    private static JsonObject Flow(JsonObject inputs)
    {
        var flow = new FlowBuilder().Activity("escalate", "Feedback.Escalate", inputs);
        foreach (var port in new[] { "DepartmentHead", "ComplaintDeskManager", "Management", "AlreadyAtTop" })
            flow.Activity("on" + port, "Elsa.WriteLine", Inputs(("text", Lit(port)))).Connect("escalate", "on" + port, port);
        return flow.Build();
    }

    private static JsonObject Because(string reason, params (string Name, JsonNode? Value)[] more) =>
        Inputs([("reason", Lit(reason)), .. more]);

    private static string Port(CaseStepHarness.Step step) =>
        step.Completed.Where(id => id.StartsWith("on", StringComparison.Ordinal)).Should().ContainSingle().Subject[2..];

    [Fact]
    public void The_descriptor_has_one_port_per_level_and_documented_inputs()
    {
        var info = ActivityTypeInfo.Describe(typeof(Escalate));

        info.Descriptor.TypeName.Should().Be("Feedback.Escalate");
        info.Descriptor.Category.Should().Be("Feedback");
        info.Outcomes.Should().Equal("DepartmentHead", "ComplaintDeskManager", "Management", "AlreadyAtTop");
        info.Descriptor.Inputs.Select(i => i.Name).Should().Equal("Reason", "By", "Level", "Department", "AlertOnly", "AskThisLevel", "CaseNumber");
        info.Descriptor.Inputs.Should().OnlyContain(i => i.IsWrapped && !string.IsNullOrEmpty(i.Description));
        info.Descriptor.Outputs.Select(o => o.Name).Should().Equal("ReachedLevel", "Recipients");
    }

    [Fact]
    public async Task The_first_escalation_goes_to_the_lead_departments_head_with_who_and_why()
    {
        var feedback = await _steps.AddCaseAsync();

        var step = await _steps.RunAsync(Flow(Because("The plan is three days late.", ("by", Lit("xu.ting")))), feedback.Number);

        step.State.Incidents.Should().BeEmpty();
        Port(step).Should().Be("DepartmentHead");
        var change = step.Changes.Should().ContainSingle().Subject;
        change.Action.Should().Be("Escalated");
        change.Actor.Should().Be("xu.ting");
        change.Details.Should().Contain("Level 1 (department head) by xu.ting: The plan is three days late.").And.Contain("Notified chen.jie");
        (await _steps.AfterAsync(step)).EscalationLevel.Should().Be(1);
        var mail = step.Mails.Should().ContainSingle().Subject;
        ((string?)mail["to"]).Should().Be("chen.jie@example.com");
        ((string?)mail["message"]).Should().Be("Escalation");
        ((string?)mail["caseNumber"]).Should().Be(feedback.Number);
        ((string?)mail["subject"]).Should().Contain(feedback.Number).And.Contain("department head");
        ((string?)mail["text"]).Should().Contain("Reason: The plan is three days late.").And.Contain("FOOD SAFETY").And.Contain(feedback.Content);
        ((int?)step.Output("escalate", "ReachedLevel")).Should().Be(1);
        step.Output("escalate", "Recipients")!.AsArray().Select(n => (string?)n).Should().Equal("chen.jie");
    }

    [Fact]
    public async Task Each_escalation_goes_one_level_up_until_management_and_then_stays_at_the_top()
    {
        var feedback = await _steps.AddCaseAsync();
        var seen = new List<(string Port, string To, int Level)>();
        for (var i = 0; i < 4; i++)
        {
            var step = await _steps.RunAsync(Flow(Because($"Round {i + 1}.")), feedback.Number);
            var after = await _steps.CommitAsync(step);
            seen.Add((Port(step), (string)step.Mails.Single()["to"]!, after.EscalationLevel));
            step.Changes.Single().Actor.Should().Be(Escalate.DefaultActor);
        }

        seen.Should().Equal(
            ("DepartmentHead", "chen.jie@example.com", 1),
            ("ComplaintDeskManager", "zhou.min@example.com", 2),
            ("Management", "ma.jun@example.com", 3),
            ("AlreadyAtTop", "ma.jun@example.com", 3));
    }

    [Fact]
    public async Task A_given_level_is_reached_at_once_and_a_case_never_goes_down()
    {
        var low = await _steps.AddCaseAsync();
        var high = await _steps.AddCaseAsync(c => c.EscalationLevel = 2);

        var straight = await _steps.RunAsync(Flow(Because("Media enquiry.", ("level", Lit(3)))), low.Number);
        var lower = await _steps.RunAsync(Flow(Because("Head should look.", ("level", Lit(1)))), high.Number);

        Port(straight).Should().Be("Management");
        (await _steps.AfterAsync(straight)).EscalationLevel.Should().Be(3);
        Port(lower).Should().Be("ComplaintDeskManager", "asking for a lower level notifies the current one again");
        (await _steps.AfterAsync(lower)).EscalationLevel.Should().Be(2);
    }

    [Fact]
    public async Task Ask_this_level_asks_the_department_head_of_a_case_deadlines_raised_higher_and_keeps_its_level()
    {
        var high = await _steps.AddCaseAsync(c => c.EscalationLevel = 3);

        var asked = await _steps.RunAsync(Flow(Because("Still unsatisfied after the rework.", ("level", Lit(1)), ("askThisLevel", Lit(true)))), high.Number);

        Port(asked).Should().Be("DepartmentHead", "a chain of decisions starts with the head, whatever the deadlines did");
        (await _steps.AfterAsync(asked)).EscalationLevel.Should().Be(3, "a case never goes down");
        var change = asked.Changes.Should().ContainSingle().Subject;
        change.Details.Should().StartWith("Asked level 1 (department head) by ").And.Contain("the case stays at level 3");
    }

    [Fact]
    public async Task The_department_input_names_whose_head_is_level_one()
    {
        var feedback = await _steps.AddCaseAsync();

        var step = await _steps.RunAsync(Flow(Because("Development has not answered.", ("department", Lit("rnd")))), feedback.Number);

        Port(step).Should().Be("DepartmentHead");
        ((string?)step.Mails.Single()["to"]).Should().Be("gao.yan@example.com");
        step.Changes.Single().Details.Should().NotContain("Passed over");
    }

    [Fact]
    public async Task The_person_complained_about_is_passed_over_and_the_escalation_goes_up()
    {
        var feedback = await _steps.AddCaseAsync(c => c.ComplainedAbout = "chen.jie");

        var step = await _steps.RunAsync(Flow(Because("The customer complains about the head.")), feedback.Number);

        Port(step).Should().Be("ComplaintDeskManager");
        step.Mails.Select(m => (string?)m["to"]).Should().Equal("zhou.min@example.com");
        step.Changes.Single().Details.Should().Contain("Passed over: nobody reachable at level 1 (department head of quality)");
        (await _steps.AfterAsync(step)).EscalationLevel.Should().Be(2);
    }

    [Fact]
    public async Task An_absent_head_is_reached_through_the_delegate()
    {
        var directory = await CaseStepHarness.ExampleOrganizationAsync();
        var head = directory.Staff.Single(s => s.UserName == "chen.jie");
        head.AbsentUntil = CaseStepHarness.Now.AddDays(7);
        head.Delegate = "zhang.hua";
        await _steps.Directory.ReplaceAsync(directory, CancellationToken.None);
        var feedback = await _steps.AddCaseAsync();

        var step = await _steps.RunAsync(Flow(Because("Overdue.")), feedback.Number);

        Port(step).Should().Be("DepartmentHead");
        step.Mails.Select(m => (string?)m["to"]).Should().Equal("zhang.hua@example.com");
    }

    [Fact]
    public async Task Every_reachable_member_of_a_level_gets_a_mail()
    {
        var directory = await CaseStepHarness.ExampleOrganizationAsync();
        directory.Staff.Single(s => s.UserName == "lin.fang").Roles.Add(Organization.StaffRole.Management);
        directory.Staff.Single(s => s.UserName == "wu.lei").Roles.Add(Organization.StaffRole.Management);
        directory.Staff.Single(s => s.UserName == "wu.lei").Active = false;
        await _steps.Directory.ReplaceAsync(directory, CancellationToken.None);
        var feedback = await _steps.AddCaseAsync(c => c.EscalationLevel = 2);

        var step = await _steps.RunAsync(Flow(Because("Legal threat.")), feedback.Number);

        step.Mails.Select(m => (string?)m["to"]).Should().Equal("lin.fang@example.com", "ma.jun@example.com");
        step.Output("escalate", "Recipients")!.AsArray().Select(n => (string?)n).Should().Equal("lin.fang", "ma.jun");
    }

    [Theory]
    [InlineData("", null, null, "Input 'Reason'")]
    [InlineData("Late.", 4, null, "Input 'Level': 4 is not a level")]
    [InlineData("Late.", 0, null, "Input 'Level': 0 is not a level")]
    [InlineData("Late.", null, "nowhere", "Input 'Department': there is no department 'nowhere'")]
    public async Task Invalid_inputs_become_an_incident_that_names_the_input(string reason, int? level, string? department, string message)
    {
        var feedback = await _steps.AddCaseAsync();
        var inputs = Because(reason);
        if (level is not null) inputs["level"] = Lit(level);
        if (department is not null) inputs["department"] = Lit(department);

        var step = await _steps.RunAsync(Flow(inputs), feedback.Number);

        step.Incident.Should().Contain("escalate").And.Contain(message);
        step.Changes.Should().BeEmpty();
        step.Mails.Should().BeEmpty();
    }

    [Fact]
    public async Task A_case_without_a_lead_department_cannot_reach_a_department_head()
    {
        var feedback = await _steps.AddCaseAsync(c => c.LeadDepartment = null);

        var step = await _steps.RunAsync(Flow(Because("Nobody took it.")), feedback.Number);

        step.Incident.Should().Contain("no lead department").And.Contain("set Department");
    }

    [Fact]
    public async Task When_nobody_at_all_can_be_reached_the_step_faults_instead_of_escalating_silently()
    {
        var directory = await CaseStepHarness.ExampleOrganizationAsync();
        foreach (var name in new[] { "zhou.min", "ma.jun" }) directory.Staff.Single(s => s.UserName == name).Email = null;
        await _steps.Directory.ReplaceAsync(directory, CancellationToken.None);
        var feedback = await _steps.AddCaseAsync(c => c.EscalationLevel = 1);

        var step = await _steps.RunAsync(Flow(Because("Still open.")), feedback.Number);

        step.Incident.Should().Contain($"Case {feedback.Number} cannot be escalated")
            .And.Contain("level 2 (complaint desk manager)").And.Contain("level 3 (management)");
        step.Changes.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_case_is_an_incident()
    {
        var step = await _steps.RunAsync(Flow(Because("Late.")), "FB-2026-999999");

        step.Incident.Should().Contain("No case FB-2026-999999");
    }
}
