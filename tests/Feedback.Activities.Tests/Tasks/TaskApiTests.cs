using System.Net;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>Staff tasks through the HTTP API on PostgreSQL: the plan-and-review process, idempotent and concurrent completion.</summary>
public sealed class TaskApiTests : TaskApiHarness
{
    private static JsonObject Plan(string measures, string? deadline = "2026-12-31") => new() { ["measures"] = measures, ["deadline"] = deadline };

    [Fact]
    public async Task A_case_runs_through_plan_review_reject_loop_and_approval()
    {
        await PublishPlanAndReviewAsync();
        var (number, instanceId) = await RegisterCaseAsync();

        var plan = await OpenTaskAsync(number);
        ((string?)plan["title"]).Should().Be("Submit plan");
        ((string?)plan["assignee"]).Should().Be("alice");
        ((string?)plan["status"]).Should().Be("Open");
        ((string?)plan["workflowInstanceId"]).Should().Be(instanceId);
        plan["actions"]!.AsArray().Select(a => (string?)a).Should().Equal("Submit");
        plan["fields"]!.AsArray().Select(f => (string?)f!["name"]).Should().Equal("measures", "deadline");
        (await TasksAsync("assignee=alice")).Should().ContainSingle();
        (await TasksAsync("assignee=bob")).Should().BeEmpty();
        var planId = (string)plan["id"]!;

        var missing = await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", new JsonObject { ["deadline"] = "2026-12-31" }), HttpStatusCode.BadRequest);
        missing.Should().Contain("values.measures: required.");
        var badDate = await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Re-seal", "next week")), HttpStatusCode.BadRequest);
        badDate.Should().Contain("values.deadline: must be an ISO date");
        (await ExpectAsync(await CompleteAsync(planId, "carol", "Submit", Plan("Re-seal")), HttpStatusCode.Forbidden)).Should().Contain("is for alice");
        (await ResumedCountAsync(instanceId)).Should().Be(0, "rejected submissions never reach the workflow");

        var done = JsonNode.Parse(await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Re-seal line 3; retrain the night shift."), "plan-1"), HttpStatusCode.OK))!;
        ((string?)done["status"]).Should().Be("Completed");
        ((string?)done["completedBy"]).Should().Be("alice");
        ((string?)done["completedAction"]).Should().Be("Submit");
        ((string?)done["values"]!["measures"]).Should().Be("Re-seal line 3; retrain the night shift.");

        var variables = (await Api.InstanceAsync(instanceId))["workflowState"]!["variables"]!;
        ((string?)variables["measures-id"]).Should().Be("Re-seal line 3; retrain the night shift.");
        ((string?)variables["deadline-id"]).Should().Be("2026-12-31");

        var review = await OpenTaskAsync(number);
        ((string?)review["title"]).Should().Be("Review");
        ((string?)review["role"]).Should().Be("DepartmentHead");
        var reviewId = (string)review["id"]!;
        (await TasksAsync("role=DepartmentHead&status=open")).Select(t => (string?)t!["id"]).Should().Contain(reviewId);
        await ExpectAsync(await CompleteAsync(reviewId, "alice", "Approve", null), HttpStatusCode.Forbidden);
        await ExpectAsync(await CompleteAsync(reviewId, "bob", "Submit", null), HttpStatusCode.BadRequest);
        var claimed = JsonNode.Parse(await ExpectAsync(await PostAsync($"/api/tasks/{reviewId}/claim", "bob"), HttpStatusCode.OK))!;
        ((string?)claimed["status"]).Should().Be("Claimed");
        ((string?)claimed["claimedBy"]).Should().Be("bob");
        await ExpectAsync(await CompleteAsync(reviewId, "bob", "Reject", null, "review-1"), HttpStatusCode.OK);

        var again = await OpenTaskAsync(number);
        ((string?)again["title"]).Should().Be("Submit plan", "Reject loops back to the plan");
        ((string?)again["id"]).Should().NotBe(planId);
        await ExpectAsync(await CompleteAsync((string)again["id"]!, "alice", "Submit", Plan("Re-seal line 3; add a seam check.", "2027-01-15"), "plan-2"), HttpStatusCode.OK);
        var secondReview = await OpenTaskAsync(number);
        await ExpectAsync(await CompleteAsync((string)secondReview["id"]!, "bob", "Approve", null, "review-2"), HttpStatusCode.OK);

        (await Api.InstanceAsync(instanceId))["subStatus"]!.GetValue<string>().Should().Be("Finished");
        var all = await TasksAsync($"caseNumber={number}");
        all.Select(t => (string?)t!["status"]).Should().Equal("Completed", "Completed", "Completed", "Completed");
        all.Select(t => (string?)t!["completedAction"]).Should().Equal(new[] { "Approve", "Submit", "Reject", "Submit" }, "the list is newest first");
        (await ResumedCountAsync(instanceId)).Should().Be(4);
        ((string?)(await Api.InstanceAsync(instanceId))["workflowState"]!["variables"]!["deadline-id"]).Should().Be("2027-01-15");
        (await HistoryAsync(number)).Should().Equal(
            "Registered by customer",
            "TaskOpened by workflow", "TaskCompleted by alice",
            "TaskOpened by workflow", "TaskClaimed by bob", "TaskCompleted by bob",
            "TaskOpened by workflow", "TaskCompleted by alice",
            "TaskOpened by workflow", "TaskCompleted by bob");
        var lines = (await CaseAsync(number))["history"]!.AsArray();
        ((string?)lines[5]!["details"]).Should().Be("Task 'Review': Reject by bob.");
        ((string?)lines[5]!["via"]).Should().Be("task");
    }

    [Fact]
    public async Task A_repeated_completion_with_the_same_key_gets_the_first_answer_and_a_different_one_a_conflict()
    {
        await PublishPlanAndReviewAsync();
        var (number, instanceId) = await RegisterCaseAsync();
        var planId = (string)(await OpenTaskAsync(number))["id"]!;

        var first = await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Re-seal"), "form-7f3a"), HttpStatusCode.OK);
        var repeated = await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Re-seal"), "form-7f3a"), HttpStatusCode.OK);

        repeated.Should().Be(first);
        var conflict = await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Something else"), "form-8b1c"), HttpStatusCode.Conflict);
        conflict.Should().Contain("already completed by alice with 'Submit'");
        await ExpectAsync(await CompleteAsync(planId, "alice", "Submit", Plan("Re-seal")), HttpStatusCode.Conflict);
        await ExpectAsync(await CompleteAsync(planId, "carol", "Submit", Plan("Re-seal"), "form-7f3a"), HttpStatusCode.Conflict);
        (await ResumedCountAsync(instanceId)).Should().Be(1);
        (await TasksAsync($"caseNumber={number}")).Should().HaveCount(2, "one plan and one review, not two reviews");
    }

    [Fact]
    public async Task Twenty_concurrent_completions_resume_the_workflow_exactly_once()
    {
        await PublishPlanAndReviewAsync();
        var (number, instanceId) = await RegisterCaseAsync();
        var planId = (string)(await OpenTaskAsync(number))["id"]!;
        // Half retry one submission (same key), half are different submissions; whichever resumes first decides.
        var keys = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? "same" : $"other-{i}").ToList();

        var responses = await Task.WhenAll(keys.Select(key => CompleteAsync(planId, "alice", "Submit", Plan($"measures from {key}"), key)));
        var results = await Task.WhenAll(responses.Select(async (r, i) => (Key: keys[i], r.StatusCode, Body: await r.Content.ReadAsStringAsync())));

        (await ResumedCountAsync(instanceId)).Should().Be(1);
        results.Where(r => r.StatusCode != HttpStatusCode.OK).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Conflict);
        var winners = results.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        winners.Select(w => w.Body).Distinct().Should().ContainSingle("every success reports the one completion");
        var sameKeyWon = winners.Any(w => w.Key == "same");
        winners.Should().HaveCount(sameKeyWon ? 10 : 1);
        if (sameKeyWon) winners.Should().OnlyContain(w => w.Key == "same");
        var measures = (string?)JsonNode.Parse(winners[0].Body)!["values"]!["measures"];
        ((string?)(await Api.InstanceAsync(instanceId))["workflowState"]!["variables"]!["measures-id"]).Should().Be(measures);
    }

    [Fact]
    public async Task A_completion_that_waited_for_its_workflow_while_the_task_was_reassigned_is_refused_and_the_task_stays_open_for_the_new_assignee()
    {
        await PublishPlanAndReviewAsync();
        var (number, instanceId) = await RegisterCaseAsync();
        var planId = (string)(await OpenTaskAsync(number))["id"]!;

        // Another step of the case holds its workflow: alice's completion is allowed, then waits for its turn.
        await using var blocker = new Npgsql.NpgsqlConnection(ConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var command = new Npgsql.NpgsqlCommand("SELECT id FROM workflow_instances WHERE id = @id FOR UPDATE", blocker, hold))
        {
            command.Parameters.AddWithValue("id", instanceId);
            (await command.ExecuteScalarAsync()).Should().NotBeNull();
        }
        var completing = CompleteAsync(planId, "alice", "Submit", Plan("Re-seal"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        completing.IsCompleted.Should().BeFalse("the completion waits for the workflow");
        await ExpectAsync(await PostAsync($"/api/tasks/{planId}/reassign", "bob", new JsonObject { ["to"] = "carol", ["reason"] = "Alice is on leave from today." }), HttpStatusCode.OK);
        await hold.RollbackAsync();

        var refused = await completing;
        refused.StatusCode.Should().BeOneOf([HttpStatusCode.Conflict, HttpStatusCode.Forbidden], await refused.Content.ReadAsStringAsync());
        var task = await Api.GetJsonAsync($"/api/tasks/{planId}");
        ((string?)task["status"], (string?)task["assignee"], (string?)task["completedBy"]).Should().Be(("Open", "carol", null));
        (await ResumedCountAsync(instanceId)).Should().Be(0);
        await ExpectAsync(await CompleteAsync(planId, "carol", "Submit", Plan("Re-seal")), HttpStatusCode.OK);
    }
}
