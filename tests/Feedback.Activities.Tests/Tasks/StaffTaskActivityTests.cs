using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>StaffTask in memory: what it stages on open, complete and cancel, its ports, variables, and its design-time checks.</summary>
public sealed class StaffTaskActivityTests
{
    private readonly InMemoryRunner _runner = new(typeof(StaffTask));

    internal static JsonObject Field(string name, string type = "text", bool required = false, string[]? choices = null, string? variable = null)
    {
        var field = new JsonObject { ["name"] = name, ["label"] = name.ToUpperInvariant(), ["type"] = type, ["required"] = required };
        if (choices is not null) field["choices"] = new JsonArray(choices.Select(c => (JsonNode?)c).ToArray());
        if (variable is not null) field["variable"] = variable;
        return field;
    }

    internal static JsonArray Fields(params JsonObject[] fields) => new(fields.Select(f => (JsonNode?)f).ToArray());

    internal static JsonObject Actions(params string[] actions) => In("Object", new JsonArray(actions.Select(a => (JsonNode?)a).ToArray()).ToJsonString());

    /// <summary>start -> task; task:Approve -> approved; task:Reject -> rejected.</summary>
    private static JsonObject ReviewFlow(JsonObject taskInputs, Action<FlowBuilder>? more = null)
    {
        var flow = new FlowBuilder()
            .Activity("start", "Elsa.Start")
            .Activity("task", "Feedback.StaffTask", taskInputs)
            .Activity("approved", "Elsa.WriteLine", Inputs(("text", Lit("approved"))))
            .Activity("rejected", "Elsa.WriteLine", Inputs(("text", Lit("rejected"))))
            .Connect("start", "task").Connect("task", "approved", "Approve").Connect("task", "rejected", "Reject");
        more?.Invoke(flow);
        return flow.Build();
    }

    [Fact]
    public async Task Execute_opens_a_task_with_its_bookmark_and_waits()
    {
        var run = await _runner.StartAsync(ReviewFlow(Inputs(
            ("title", Lit("Review the plan")), ("instructions", Lit("Check the measures.")), ("assignee", Lit("bob")),
            ("actions", Actions("Approve", "Reject")), ("dueIn", Lit("2.00:00:00")), ("fields", Fields(Field("comment"))))));

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Suspended);
        var task = run.Staged<TaskOpened>().Should().ContainSingle().Subject.Task;
        var bookmark = run.BookmarkOf("task");
        bookmark.Name.Should().Be(StaffTask.Stimulus);
        ((string?)bookmark.Payload!["TaskId"]).Should().Be(task.Id);
        task.BookmarkId.Should().Be(bookmark.Id);
        task.WorkflowInstanceId.Should().Be(run.State.Id);
        task.ActivityId.Should().Be("task");
        task.Title.Should().Be("Review the plan");
        task.Instructions.Should().Be("Check the measures.");
        task.Assignee.Should().Be("bob");
        task.Role.Should().BeNull();
        task.Actions.Should().Equal("Approve", "Reject");
        task.Fields.Should().ContainSingle().Which.Name.Should().Be("comment");
        task.DueAt.Should().Be(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        task.Status.Should().Be(FeedbackTaskStatus.Open);
        task.CaseNumber.Should().BeNull();
        run.Staged<CaseChange>().Should().BeEmpty("the instance has no case");
    }

    [Fact]
    public async Task Without_actions_the_task_offers_Submit_and_completes_on_that_port()
    {
        var run = await _runner.StartAsync(new FlowBuilder()
            .Activity("task", "Feedback.StaffTask", Inputs(("title", Lit("Call the customer")), ("role", Lit("complaintdesk"))))
            .Activity("after", "Elsa.WriteLine", Inputs(("text", Lit("done"))))
            .Connect("task", "after", "Submit").Build());
        var task = run.Staged<TaskOpened>().Single().Task;
        task.Actions.Should().Equal("Submit");
        task.Role.Should().Be("ComplaintDesk", "role names are canonical whatever the designer's casing");

        await _runner.ResumeAsync(run, run.BookmarkOf("task"), StaffTaskCompletions.Completion("Submit", new JsonObject()));

        run.Completed.Should().Equal("task", "after");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task Resume_takes_the_action_port_sets_outputs_writes_declared_variables_and_closes_the_task()
    {
        var run = await _runner.StartAsync(ReviewFlow(Inputs(
            ("title", Lit("Review")), ("assignee", Lit("bob")), ("actions", Actions("Approve", "Reject")),
            ("fields", Fields(Field("measures", required: true), Field("deadline", "date", variable: "planDeadline"), Field("cost", "number"), Field("note")))),
            flow => flow.Variable("measures", "String").Variable("planDeadline", "String").Variable("cost", "Object")));
        var taskId = run.Staged<TaskOpened>().Single().Task.Id;

        await _runner.ResumeAsync(run, run.BookmarkOf("task"), StaffTaskCompletions.Completion("Approve",
            new JsonObject { ["measures"] = "  Re-seal the line.  ", ["deadline"] = "2026-12-31", ["cost"] = "12.50", ["note"] = "fine" }, by: "bob", key: "form-1"));

        run.Completed.Should().Equal("start", "task", "approved");
        run.Variable("measures")!.GetValue<string>().Should().Be("Re-seal the line.");
        run.Variable("planDeadline")!.GetValue<string>().Should().Be("2026-12-31");
        run.Variable("cost")!.GetValue<decimal>().Should().Be(12.50m);
        var outputs = run.State.ActivityOutputs["task"];
        ((string?)outputs["Action"]).Should().Be("Approve");
        ((string?)outputs["CompletedBy"]).Should().Be("bob");
        ((string?)outputs["Values"]!["note"]).Should().Be("fine");
        var closed = run.Last.CommitItems.OfType<TaskClosed>().Should().ContainSingle().Subject;
        closed.Should().BeEquivalentTo(new { TaskId = taskId, Status = FeedbackTaskStatus.Completed, CompletedBy = "bob", Action = "Approve", CompletionKey = "form-1" });
        closed.Values!.ToJsonString().Should().Be("""{"measures":"Re-seal the line.","deadline":"2026-12-31","cost":12.50,"note":"fine"}""");
    }

    [Fact]
    public async Task An_optional_field_left_empty_clears_its_variable_so_an_earlier_rounds_comment_is_not_read_as_this_ones()
    {
        var run = await _runner.StartAsync(ReviewFlow(Inputs(
            ("title", Lit("Review")), ("assignee", Lit("bob")), ("actions", Actions("Approve", "Reject")), ("fields", Fields(Field("comments")))),
            flow => flow.Variable("comments", "String", "Add the lab report.")));

        await _runner.ResumeAsync(run, run.BookmarkOf("task"), StaffTaskCompletions.Completion("Approve", new JsonObject(), by: "bob", key: "form-2"));

        run.Completed.Should().Equal("start", "task", "approved");
        run.Variable("comments").Should().BeNull();
    }

    [Fact]
    public async Task A_completion_that_does_not_fit_the_form_closes_the_task_and_faults_with_the_reason()
    {
        var run = await _runner.StartAsync(ReviewFlow(Inputs(
            ("title", Lit("Review")), ("assignee", Lit("bob")), ("actions", Actions("Approve", "Reject")), ("fields", Fields(Field("measures", required: true))))));

        await _runner.ResumeAsync(run, run.BookmarkOf("task"), StaffTaskCompletions.Completion("Approve", new JsonObject()));

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);
        run.State.Incidents.Should().ContainSingle().Which.Message.Should().Contain("values.measures: required.");
        run.Last.CommitItems.OfType<TaskClosed>().Should().ContainSingle().Which.Status.Should().Be(FeedbackTaskStatus.Cancelled);
    }

    [Theory]
    [InlineData(null, null, null, "a task is for a person, a role or the case's owner")]
    [InlineData(null, "Boss", null, "'Boss' is not a role")]
    [InlineData("bob", null, "nowhere", "variable 'nowhere', which the workflow does not declare")]
    [InlineData("bob", null, "choice-without-choices", "a choice field needs at least one choice")]
    [InlineData("bob", null, "closed-status", "'Closed' is not a status of a case being handled")]
    [InlineData("bob", null, "unknown-status", "'Fixing' is not a status of a case being handled; use one of Registered, Classified")]
    [InlineData("bob", null, "bad-due", "'30.11.2026' is neither a date (yyyy-MM-dd) nor a date and time")]
    public async Task Design_mistakes_fault_at_execute_with_a_clear_message(string? assignee, string? role, string? fieldCase, string expected)
    {
        var field = fieldCase switch
        {
            "nowhere" => Field("measures", variable: "nowhere"),
            "choice-without-choices" => Field("outcome", "choice"),
            _ => Field("measures"),
        };
        var run = await _runner.StartAsync(ReviewFlow(Inputs(
            ("title", Lit("Review")), ("assignee", assignee is null ? null : Lit(assignee)), ("role", role is null ? null : Lit(role)), ("fields", Fields(field)),
            ("caseStatus", fieldCase switch { "closed-status" => Lit("Closed"), "unknown-status" => Lit("Fixing"), _ => null }),
            ("dueBy", fieldCase == "bad-due" ? Lit("30.11.2026") : null))));

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);
        run.State.Incidents.Should().ContainSingle().Which.Message.Should().Contain(expected);
        run.Staged<TaskOpened>().Should().BeEmpty();
    }

    [Fact]
    public async Task A_WaitAny_join_that_fires_on_another_branch_cancels_the_task()
    {
        var run = await _runner.StartAsync(new FlowBuilder()
            .Activity("start", "Elsa.Start")
            .Activity("task", "Feedback.StaffTask", Inputs(("title", Lit("Answer")), ("assignee", Lit("bob"))))
            .Activity("timeout", "Elsa.Event", Inputs(("eventName", Lit("timeout"))))
            .Activity("join", "Elsa.FlowJoin", Inputs(("mode", Lit("WaitAny"))))
            .Connect("start", "task").Connect("start", "timeout").Connect("task", "join", "Submit").Connect("timeout", "join")
            .Build());
        var taskId = run.Staged<TaskOpened>().Single().Task.Id;

        await _runner.ResumeAsync(run, run.BookmarkOf("timeout"));

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
        run.Last.CommitItems.OfType<TaskClosed>().Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { TaskId = taskId, Status = FeedbackTaskStatus.Cancelled });
    }

    [Fact]
    public void The_descriptor_has_dynamic_outcomes_and_the_studio_editors()
    {
        var info = ActivityTypeInfo.Describe(typeof(StaffTask));

        info.HasDynamicOutcomes.Should().BeTrue();
        info.TypeName.Should().Be("Feedback.StaffTask");
        info.Descriptor.DisplayName.Should().Be("Staff Task");
        info.Descriptor.Category.Should().Be("Feedback");
        info.Descriptor.Kind.Should().Be("Task");
        var inputs = info.Descriptor.Inputs.ToDictionary(i => i.Name);
        inputs.Keys.Should().Equal("Title", "Instructions", "Assignee", "ToCaseOwner", "Role", "Department", "Fields", "Actions", "DueIn", "DueInWorkingTime", "DueBy", "DueWithSla", "ExcludeRectifiers", "Exclude", "CaseStatus", "CaseNumber");
        inputs["CaseStatus"].UiHint.Should().Be(InputUIHints.DropDown);
        inputs["Exclude"].UiHint.Should().Be(InputUIHints.MultiText);
        inputs["Actions"].UiHint.Should().Be(InputUIHints.DynamicOutcomes);
        inputs["Actions"].DefaultSyntax.Should().Be("Object");
        inputs["Actions"].DefaultValue.Should().BeEquivalentTo(new[] { "Submit" }, "the Studio's outcome editor reads the default as a JSON array");
        inputs["Fields"].UiHint.Should().Be(InputUIHints.JsonEditor);
        inputs["Fields"].IsWrapped.Should().BeFalse();
        inputs["Instructions"].UiHint.Should().Be(InputUIHints.MultiLine);
        inputs["Role"].UiHint.Should().Be(InputUIHints.DropDown);
        inputs["Title"].UiHint.Should().Be(InputUIHints.SingleLine);
        info.Descriptor.Outputs.Select(o => o.Name).Should().Equal("Action", "Values", "CompletedBy");
    }
}
