using System.Net;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Triggers, events through the outbox, external tasks, cancel and retry, through the API on PostgreSQL.</summary>
public sealed class TriggersAndTasksTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonArray> InstancesOfAsync(string definitionId) =>
        (await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = definitionId, ["pageSize"] = 100 }))["items"]!.AsArray();

    [Fact]
    public async Task A_published_timer_trigger_starts_instances_on_its_interval_and_retract_stops_it()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder()
            .Activity("tick", "Elsa.Timer", Inputs(("interval", Lit("00:00:01"))), canStart: true)
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("tick"))))
            .Chain("tick", "w").Build(name: "Ticker"));

        var until = DateTime.UtcNow.AddSeconds(15);
        while ((await InstancesOfAsync(definitionId)).Count < 2 && DateTime.UtcNow < until) await Task.Delay(250);
        var started = await InstancesOfAsync(definitionId);
        started.Count.Should().BeGreaterThanOrEqualTo(2);
        started.Select(i => (string?)i!["subStatus"]).Should().AllBe("Finished");

        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/retract", new JsonObject());
        await Task.Delay(1500);
        var count = (await InstancesOfAsync(definitionId)).Count;
        await Task.Delay(2500);
        (await InstancesOfAsync(definitionId)).Count.Should().Be(count, "a retracted definition has no trigger left");
    }

    [Fact]
    public async Task Publish_event_reaches_a_waiting_instance_and_starts_a_triggered_one_through_the_outbox()
    {
        var listener = await _api.PublishAsync(new FlowBuilder()
            .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("CaseClosed"))))
            .Activity("name", "Elsa.SetName", Inputs(("value", Js("'closed ' + getLastResult().caseNumber"))))
            .Chain("wait", "name").Build(name: "Listener"));
        var starter = await _api.PublishAsync(new FlowBuilder()
            .Activity("on", "Elsa.Event", Inputs(("eventName", Lit("CaseClosed"))), canStart: true)
            .Activity("name", "Elsa.SetName", Inputs(("value", Lit("started by event"))))
            .Chain("on", "name").Build(name: "Starter"));
        var publisher = await _api.PublishAsync(new FlowBuilder()
            .Activity("pub", "Elsa.PublishEvent", Inputs(("eventName", Lit("CaseClosed")), ("payload", In("Object", "{\"caseNumber\":\"FB-2026-000001\"}"))))
            .Build(name: "Publisher"));

        var waiting = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{listener}/execute", new JsonObject());
        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{publisher}/execute", new JsonObject());

        var resumed = await _api.WaitForAsync((string)waiting["workflowState"]!["id"]!, "Finished", TimeSpan.FromSeconds(15));
        ((string?)resumed["name"]).Should().Be("closed FB-2026-000001");
        // The delivery resumes waiting instances first and starts triggered ones after, so the start may lag a little.
        var started = await InstancesOfAsync(starter);
        for (var until = DateTime.UtcNow.AddSeconds(15); started.Count == 0 && DateTime.UtcNow < until; started = await InstancesOfAsync(starter))
            await Task.Delay(250);
        started.Should().ContainSingle().Which!["name"]!.GetValue<string>().Should().Be("started by event");
    }

    [Fact]
    public async Task Run_task_waits_until_completed_through_the_tasks_api_once()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder().Variable("Answer")
            .Activity("task", "Elsa.RunTask", Inputs(("taskName", Lit("Call the customer")), ("result", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "answer-id" } })))
            .Build(name: "Task flow"));
        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var taskId = (string)run["workflowState"]!["activityOutputs"]!["task"]!["TaskId"]!;

        var done = await _api.PostJsonAsync($"/elsa/api/tasks/{taskId}/complete", new JsonObject { ["result"] = new JsonObject { ["reached"] = true } });
        ((string?)done["workflowState"]!["subStatus"]).Should().Be("Finished");
        ((bool)done["workflowState"]!["variables"]!["answer-id"]!["reached"]!).Should().BeTrue();

        var again = await _api.PostAsync($"/elsa/api/tasks/{taskId}/complete", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Cancel_removes_bookmarks_and_a_second_cancel_is_a_conflict()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder()
            .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit("30.00:00:00")))).Build(name: "Long wait"));
        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var id = (string)run["workflowState"]!["id"]!;

        var cancelled = await _api.PostJsonAsync($"/elsa/api/cancel/workflow-instances/{id}", new JsonObject());
        ((string?)cancelled["workflowState"]!["subStatus"]).Should().Be("Cancelled");
        cancelled["workflowState"]!["bookmarks"]!.AsArray().Should().BeEmpty();
        (await _api.PostAsync($"/elsa/api/cancel/workflow-instances/{id}", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _api.PostAsync("/elsa/api/cancel/workflow-instances/nope", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_faulted_instance_shows_its_incident_and_retry_runs_the_activity_again()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder()
            .Activity("boom", "Elsa.Fault", Inputs(("code", Lit("E42")), ("message", Lit("Supplier system down")))).Build(name: "Faulty"));
        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var id = (string)run["workflowState"]!["id"]!;

        var instance = await _api.InstanceAsync(id);
        ((string?)instance["subStatus"]).Should().Be("Faulted");
        ((int)instance["incidentCount"]!).Should().Be(1);
        ((string?)instance["workflowState"]!["incidents"]![0]!["message"]).Should().Contain("[E42] Supplier system down").And.Contain("boom");

        var retried = await _api.PostJsonAsync($"/elsa/api/workflow-instances/{id}/retry", new JsonObject());
        ((string?)retried["workflowState"]!["subStatus"]).Should().Be("Faulted", "the fault is permanent, so the retry faults again");
        var journal = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{id}/journal");
        journal["items"]!.AsArray().Count(j => (string?)j!["eventName"] == "Faulted").Should().Be(2);
    }
}
