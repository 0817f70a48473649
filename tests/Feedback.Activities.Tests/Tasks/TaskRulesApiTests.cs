using System.Net;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Activities.Tests.Tasks.StaffTaskActivityTests;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>Claim, reassign, request errors and WaitAny cancellation through the task API on PostgreSQL.</summary>
public sealed class TaskRulesApiTests : TaskApiHarness
{
    [Fact]
    public async Task Claim_and_reassign_follow_the_access_rule_and_leave_history()
    {
        await PublishPlanAndReviewAsync();
        var (number, _) = await RegisterCaseAsync();
        var id = (string)(await OpenTaskAsync(number))["id"]!;

        (await ExpectAsync(await PostAsync($"/api/tasks/{id}/claim", "carol"), HttpStatusCode.Forbidden)).Should().Contain("is for alice; carol may not claim it");
        await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "carol", new JsonObject { ["to"] = "carol", ["reason"] = "I have time" }), HttpStatusCode.Forbidden);
        (await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "alice", new JsonObject { ["to"] = "carol" }), HttpStatusCode.BadRequest)).Should().Contain("reason:");
        (await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "alice", new JsonObject { ["to"] = "mallory", ["reason"] = "x" }), HttpStatusCode.BadRequest))
            .Should().Contain("'mallory' is not an active staff member");
        (await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "alice", new JsonObject { ["to"] = "carol", ["reason"] = "x", ["sneaky"] = 1 }), HttpStatusCode.BadRequest))
            .Should().Contain("sneaky");

        var moved = JsonNode.Parse(await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "alice", new JsonObject { ["to"] = "carol", ["reason"] = "On leave next week." }), HttpStatusCode.OK))!;
        ((string?)moved["assignee"]).Should().Be("carol");
        await ExpectAsync(await PostAsync($"/api/tasks/{id}/claim", "carol"), HttpStatusCode.OK);
        await ExpectAsync(await PostAsync($"/api/tasks/{id}/claim", "carol"), HttpStatusCode.OK);
        (await ExpectAsync(await CompleteAsync(id, "bob", "Submit", new JsonObject { ["measures"] = "x" }), HttpStatusCode.Conflict)).Should().Contain("claimed by carol");

        var back = JsonNode.Parse(await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "bob", new JsonObject { ["to"] = "alice", ["reason"] = "Carol is needed on line 2." }), HttpStatusCode.OK))!;
        ((string?)back["assignee"]).Should().Be("alice");
        ((string?)back["status"]).Should().Be("Open");
        back["claimedBy"].Should().BeNull();
        await ExpectAsync(await PostAsync($"/api/tasks/{id}/reassign", "dave", new JsonObject { ["to"] = "dave", ["reason"] = "x" }), HttpStatusCode.Forbidden);

        var history = (await CaseAsync(number))["history"]!.AsArray().Where(h => ((string?)h!["action"])!.StartsWith("TaskReassigned")).ToList();
        history.Select(h => (string?)h!["details"]).Should().Equal(
            "Task 'Submit plan' from alice to carol: On leave next week.",
            "Task 'Submit plan' from carol to alice: Carol is needed on line 2.");
        history.Select(h => (string?)h!["actor"]).Should().Equal("alice", "bob");
    }

    [Fact]
    public async Task Requests_without_identity_key_or_target_get_clear_errors()
    {
        await PublishPlanAndReviewAsync();
        var (number, _) = await RegisterCaseAsync();
        var id = (string)(await OpenTaskAsync(number))["id"]!;

        (await ExpectAsync(await PostAsync($"/api/tasks/{id}/claim", user: null), HttpStatusCode.BadRequest)).Should().Contain("X-Staff-User");
        (await ExpectAsync(await PostAsync("/api/tasks/nope/claim", "alice"), HttpStatusCode.NotFound)).Should().Contain("No task nope.");
        await ExpectAsync(await Api.GetAsync("/api/tasks/nope"), HttpStatusCode.NotFound);
        (await ExpectAsync(await Api.GetAsync("/api/tasks?status=done"), HttpStatusCode.BadRequest)).Should().Contain("status: 'done' is not a status");
        await ExpectAsync(await Api.GetAsync("/api/tasks?role=Boss"), HttpStatusCode.BadRequest);
        await ExpectAsync(await Api.GetAsync("/api/tasks?pageSize=0"), HttpStatusCode.BadRequest);
        await ExpectAsync(await Api.GetAsync("/api/tasks?page=x"), HttpStatusCode.BadRequest);
        (await ExpectAsync(await CompleteAsync(id, "alice", "Submit", new JsonObject { ["measures"] = "x" }, new string('k', 101)), HttpStatusCode.BadRequest))
            .Should().Contain("Idempotency-Key");
        await ExpectAsync(await Anonymous().GetAsync("/api/tasks"), HttpStatusCode.Unauthorized);

        var page = await Api.GetJsonAsync("/api/tasks?pageSize=1&page=0&status=OPEN");
        ((int)page["totalCount"]!).Should().Be(1);
        ((string?)page["items"]![0]!["id"]).Should().Be(id);
        (await Api.GetJsonAsync($"/api/tasks/{id}"))["title"]!.GetValue<string>().Should().Be("Submit plan");
    }

    [Fact]
    public async Task A_task_racing_a_delay_into_a_WaitAny_join_is_cancelled_when_the_delay_fires()
    {
        var definitionId = await Api.PublishAsync(new FlowBuilder()
            .Activity("start", "Elsa.Start")
            .Activity("answer", "Feedback.StaffTask", Inputs(("title", Lit("Answer the customer")), ("assignee", Lit("alice")), ("fields", Fields(Field("reply", required: true)))))
            .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit("00:00:01"))))
            .Activity("join", "Elsa.FlowJoin", Inputs(("mode", Lit("WaitAny"))))
            .Connect("start", "answer").Connect("start", "delay").Connect("answer", "join", "Submit").Connect("delay", "join")
            .Build(name: "Answer or time out"));
        var started = await Api.PostAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", null);
        await ExpectAsync(started, HttpStatusCode.OK);
        var instanceId = started.Headers.GetValues("x-elsa-workflow-instance-id").Single();
        var task = (await TasksAsync($"workflowInstanceId={instanceId}")).Should().ContainSingle().Subject!;
        ((string?)task["status"]).Should().Be("Open");
        task["caseNumber"].Should().BeNull("the instance has no case");

        (await Api.WaitForAsync(instanceId, "Finished", TimeSpan.FromSeconds(20)))["subStatus"]!.GetValue<string>().Should().Be("Finished");

        var after = await Api.GetJsonAsync($"/api/tasks/{(string)task["id"]!}");
        ((string?)after["status"]).Should().Be("Cancelled");
        (await ExpectAsync(await CompleteAsync((string)task["id"]!, "alice", "Submit", new JsonObject { ["reply"] = "late" }), HttpStatusCode.Conflict))
            .Should().Contain("cancelled");
    }
}
