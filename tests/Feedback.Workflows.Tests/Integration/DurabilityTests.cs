using System.Net;
using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Runtime guarantees on PostgreSQL with real hosts, Quartz and HTTP.</summary>
public sealed class DurabilityTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static JsonObject DelayFlow(string delay) => new FlowBuilder().Variable("Greeting", "String")
        .Activity("start", "Elsa.Start")
        .Activity("set", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "greeting-id", ["name"] = "Greeting" }), ("value", Lit("hello"))))
        .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit(delay))))
        .Activity("end", "Elsa.End")
        .Chain("start", "set", "delay", "end").Build(name: "Delay flow");

    private static JsonObject EventFlow(string text) => new FlowBuilder()
        .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("go"))))
        .Activity("w", "Elsa.SetName", Inputs(("value", Lit(text))))
        .Chain("wait", "w").Build(name: "Event flow");

    [Fact]
    public async Task A_delay_suspends_the_instance_and_a_quartz_timer_finishes_it()
    {
        await using var host = new TestHost(_db.ConnectionString);
        var api = host.Api();
        var definitionId = await api.PublishAsync(DelayFlow("00:00:02"));

        var run = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var id = (string)run["workflowState"]!["id"]!;
        ((string?)run["workflowState"]!["subStatus"]).Should().Be("Suspended");

        var finished = await api.WaitForAsync(id, "Finished", TimeSpan.FromSeconds(20));
        ((string?)finished["subStatus"]).Should().Be("Finished");
        ((string?)finished["workflowState"]!["variables"]!["greeting-id"]).Should().Be("hello");
        var journal = await api.GetJsonAsync($"/elsa/api/workflow-instances/{id}/journal?skip=0&take=100");
        journal["items"]!.AsArray().Count(j => (string?)j!["eventName"] == "Resumed").Should().Be(1);
    }

    [Fact]
    public async Task A_timer_survives_a_host_stop_and_fires_on_the_next_host()
    {
        string id;
        await using (var first = new TestHost(_db.ConnectionString))
        {
            var api = first.Api();
            var definitionId = await api.PublishAsync(DelayFlow("00:00:03"));
            var run = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
            id = (string)run["workflowState"]!["id"]!;
        }
        await Task.Delay(TimeSpan.FromSeconds(4)); // due while no host runs

        await using var second = new TestHost(_db.ConnectionString);
        var finished = await second.Api().WaitForAsync(id, "Finished", TimeSpan.FromSeconds(30));
        ((string?)finished["subStatus"]).Should().Be("Finished");
    }

    [Fact]
    public async Task The_same_bookmark_resumed_from_two_hosts_at_once_runs_once_and_the_loser_gets_409()
    {
        await using var hostA = new TestHost(_db.ConnectionString);
        await using var hostB = new TestHost(_db.ConnectionString);
        var a = hostA.Api();
        var b = hostB.Api();
        var definitionId = await a.PublishAsync(EventFlow("done"));

        for (var round = 0; round < 10; round++)
        {
            var run = await a.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
            var bookmarkId = (string)run["workflowState"]!["bookmarks"]![0]!["id"]!;
            var url = $"/elsa/api/bookmarks/{bookmarkId}/resume";
            var responses = await Task.WhenAll(a.PostAsync(url, null), b.PostAsync(url, null));

            responses.Select(r => r.StatusCode).Should().BeEquivalentTo([HttpStatusCode.OK, HttpStatusCode.Conflict]);
            var loser = responses.Single(r => r.StatusCode == HttpStatusCode.Conflict);
            (await loser.Content.ReadAsStringAsync()).Should().Contain("already resumed");
            var journal = await a.GetJsonAsync($"/elsa/api/workflow-instances/{run["workflowState"]!["id"]}/journal");
            journal["items"]!.AsArray().Count(j => (string?)j!["eventName"] == "Resumed").Should().Be(1);
        }
    }

    [Fact]
    public async Task A_bookmark_resumed_through_another_instance_is_not_waiting_there_and_stays_for_its_own()
    {
        await using var host = new TestHost(_db.ConnectionString);
        var api = host.Api();
        var runtime = (Feedback.Workflows.Runtime.WorkflowRuntime)host.Services.GetService(typeof(Feedback.Workflows.Runtime.WorkflowRuntime))!;
        var definitionId = await api.PublishAsync(EventFlow("done"));
        var first = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var second = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var bookmarkId = (string)first["workflowState"]!["bookmarks"]![0]!["id"]!;
        var (firstId, secondId) = ((string)first["workflowState"]!["id"]!, (string)second["workflowState"]!["id"]!);

        var wrongInstance = () => runtime.ResumeAsync(bookmarkId, secondId, null, CancellationToken.None);
        await wrongInstance.Should().ThrowAsync<Feedback.Workflows.Runtime.BookmarkNotWaitingException>();
        var goneInstance = () => runtime.ResumeAsync(bookmarkId, "no-such-instance", null, CancellationToken.None);
        await goneInstance.Should().ThrowAsync<Feedback.Workflows.Runtime.BookmarkNotWaitingException>();

        var resumed = await runtime.ResumeAsync(bookmarkId, firstId, null, CancellationToken.None);
        resumed.SubStatus.Should().Be(Feedback.Workflows.Runtime.WorkflowSubStatus.Finished, "the bookmark was still waiting for its own instance");
        ((string?)(await api.GetJsonAsync($"/elsa/api/workflow-instances/{secondId}"))["subStatus"]).Should().Be("Suspended");
    }

    [Fact]
    public async Task Running_instances_keep_their_version_while_new_ones_use_the_newly_published_one()
    {
        await using var host = new TestHost(_db.ConnectionString);
        var api = host.Api();
        var v1 = EventFlow("v1");
        var definitionId = await api.PublishAsync(v1);
        var old = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());

        var v2 = EventFlow("v2");
        v2["definitionId"] = definitionId;
        await api.PublishAsync(v2);
        var fresh = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        ((int)fresh["workflowState"]!["definitionVersion"]!).Should().Be(2);

        var events = await api.PostJsonAsync("/elsa/api/events/go/trigger", new JsonObject());
        events["resumedInstanceIds"]!.AsArray().Should().HaveCount(2);
        var oldDone = await api.InstanceAsync((string)old["workflowState"]!["id"]!);
        ((string?)oldDone["name"]).Should().Be("v1");
        ((int)oldDone["version"]!).Should().Be(1);
        ((string?)(await api.InstanceAsync((string)fresh["workflowState"]!["id"]!))["name"]).Should().Be("v2");

        var versions = await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}&orderBy=Version");
        versions["items"]!.AsArray().Select(v => ((int)v!["version"]!, (bool)v["isPublished"]!)).Should().Equal((2, true), (1, false));
    }

    [Fact]
    public async Task An_instance_dispatched_by_a_host_that_dies_is_run_by_another_host()
    {
        string id;
        // The dispatcher writes the Pending instance but never runs it, as a host dying right after the dispatch.
        await using (var dispatcher = new TestHost(_db.ConnectionString) { RunsDispatchedInstances = false })
        {
            var api = dispatcher.Api();
            var definitionId = await api.PublishAsync(EventFlow("recovered"));
            var runtime = dispatcher.Services.GetRequiredService<WorkflowRuntime>();
            id = (await runtime.DispatchAsync(new StartWorkflowRequest { DefinitionId = definitionId }, CancellationToken.None)).Id;
            // Longer than a worker's idle wait (1 s), so a worker on this host would have run it by now.
            await Task.Delay(TimeSpan.FromSeconds(3));
            ((string?)(await api.InstanceAsync(id))["subStatus"]).Should().Be("Pending", "no worker on the dispatching host ran it");
        }

        await using var second = new TestHost(_db.ConnectionString);
        var secondApi = second.Api();
        var instance = await secondApi.WaitForAsync(id, "Suspended", TimeSpan.FromSeconds(15));
        ((string?)instance["subStatus"]).Should().Be("Suspended", "the next host's worker picked the Pending instance up");
        instance["workflowState"]!["bookmarks"]!.AsArray().Should().ContainSingle();
        var journal = await secondApi.GetJsonAsync($"/elsa/api/workflow-instances/{id}/journal?skip=0&take=100");
        journal["items"]!.AsArray().Count(j => (string?)j!["eventName"] == "WorkflowStarted").Should().Be(1, "it ran exactly once");
    }

    [Fact]
    public async Task Two_hosts_share_timers_and_each_fires_once()
    {
        await using var hostA = new TestHost(_db.ConnectionString);
        await using var hostB = new TestHost(_db.ConnectionString);
        var a = hostA.Api();
        var b = hostB.Api();
        var definitionId = await a.PublishAsync(DelayFlow("00:00:02"));
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var client = i % 2 == 0 ? a : b;
            var run = await client.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
            ids.Add((string)run["workflowState"]!["id"]!);
        }

        foreach (var id in ids)
        {
            var done = await a.WaitForAsync(id, "Finished", TimeSpan.FromSeconds(40));
            ((string?)done["subStatus"]).Should().Be("Finished", $"instance {id} should finish");
            var journal = await a.GetJsonAsync($"/elsa/api/workflow-instances/{id}/journal");
            journal["items"]!.AsArray().Count(j => (string?)j!["eventName"] == "Resumed").Should().Be(1);
        }
    }
}
