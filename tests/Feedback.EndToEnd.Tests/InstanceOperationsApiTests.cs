using Feedback.Workflows.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// Cancelling and deleting instances, one or many, as the Studio's instance list calls them: cancelling removes the
/// instance's bookmarks and their timers; deleting takes only finished instances and refuses running ones.
/// </summary>
public sealed class InstanceOperationsApiTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false);
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_a_waiting_instance_removes_its_bookmark_and_its_timer()
    {
        var definitionId = await SaveWaitingFlowAsync();
        var (instanceId, bookmarkId) = await StartWaitingAsync(definitionId);
        (await ScheduledTimersAsync()).Should().Contain(bookmarkId, "the one-hour delay waits on a timer");

        var cancelled = await _api.PostJsonAsync($"/elsa/api/cancel/workflow-instances/{instanceId}", new JsonObject());
        ((string?)cancelled["workflowState"]!["subStatus"]).Should().Be("Cancelled");
        cancelled["workflowState"]!["bookmarks"]!.AsArray().Should().BeEmpty();
        (await Bookmarks().CountBookmarksAsync(instanceId, CancellationToken.None)).Should().Be(0);
        (await ScheduledTimersAsync()).Should().NotContain(bookmarkId);
        var instance = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}");
        ((string?)instance["status"], (string?)instance["subStatus"]).Should().Be(("Finished", "Cancelled"));
        var journal = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}/journal");
        journal["items"]!.AsArray().Select(j => (string?)j!["eventName"]).Should().Contain("WorkflowCancelled");

        var again = await _api.PostAsync($"/elsa/api/cancel/workflow-instances/{instanceId}", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await _api.PostAsync("/elsa/api/cancel/workflow-instances/no-such-instance", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_running_instance_is_not_deleted_until_it_is_cancelled_then_it_goes_with_its_journal()
    {
        var definitionId = await SaveWaitingFlowAsync();
        var (instanceId, _) = await StartWaitingAsync(definitionId);

        var refused = await _api.DeleteAsync($"/elsa/api/workflow-instances/{instanceId}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("cancel it before deleting it");
        (await _api.GetAsync($"/elsa/api/workflow-instances/{instanceId}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Bookmarks().CountBookmarksAsync(instanceId, CancellationToken.None)).Should().Be(1, "a refused delete changes nothing");

        await _api.PostJsonAsync($"/elsa/api/cancel/workflow-instances/{instanceId}", new JsonObject());
        var deleted = await _api.DeleteAsync($"/elsa/api/workflow-instances/{instanceId}");
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _api.GetAsync($"/elsa/api/workflow-instances/{instanceId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        ((int)(await _api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}/journal"))["totalCount"]!).Should().Be(0);
        (await _api.DeleteAsync($"/elsa/api/workflow-instances/{instanceId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bulk_cancel_counts_what_it_cancelled_and_bulk_delete_refuses_a_batch_with_a_running_instance()
    {
        var definitionId = await SaveWaitingFlowAsync();
        var (a, bookmarkA) = await StartWaitingAsync(definitionId);
        var (b, _) = await StartWaitingAsync(definitionId);
        var (c, bookmarkC) = await StartWaitingAsync(definitionId);

        // The Studio's client posts camelCase to the route without "/by-id"; unknown ids are skipped.
        var cancelled = await _api.PostJsonAsync("/elsa/api/bulk-actions/cancel/workflow-instances", new JsonObject { ["ids"] = new JsonArray(a, b, "no-such-instance") });
        ((int)cancelled["cancelled"]!).Should().Be(2);
        (await ScheduledTimersAsync()).Should().NotContain(bookmarkA).And.Contain(bookmarkC);
        // Already cancelled: nothing more to cancel (older clients post PascalCase to "/by-id").
        var none = await _api.PostJsonAsync("/elsa/api/bulk-actions/cancel/workflow-instances/by-id", new JsonObject { ["Ids"] = new JsonArray(a) });
        ((int)none["cancelled"]!).Should().Be(0);

        var mixed = await _api.PostAsJsonAsync("/elsa/api/bulk-actions/delete/workflow-instances/by-id", new JsonObject { ["ids"] = new JsonArray(a, c) });
        mixed.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await mixed.Content.ReadAsStringAsync()).Should().Contain(c).And.Contain("cancel them first");
        (await _api.GetAsync($"/elsa/api/workflow-instances/{a}")).StatusCode.Should().Be(HttpStatusCode.OK, "a refused batch deletes nothing");

        var deleted = await _api.PostJsonAsync("/elsa/api/bulk-actions/delete/workflow-instances/by-id", new JsonObject { ["ids"] = new JsonArray(a, b, "no-such-instance") });
        ((int)deleted["deleted"]!).Should().Be(2);
        (await _api.GetAsync($"/elsa/api/workflow-instances/{b}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Every running instance of a definition version at once.
        var versionId = (string)(await _api.GetJsonAsync($"/elsa/api/workflow-instances/{c}"))["definitionVersionId"]!;
        var byVersion = await _api.PostJsonAsync("/elsa/api/bulk-actions/cancel/workflow-instances", new JsonObject { ["definitionVersionId"] = versionId });
        ((int)byVersion["cancelled"]!).Should().Be(1);
        (await ScheduledTimersAsync()).Should().NotContain(bookmarkC);

        (await _api.PostAsJsonAsync("/elsa/api/bulk-actions/cancel/workflow-instances", new JsonObject())).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _api.PostAsJsonAsync("/elsa/api/bulk-actions/delete/workflow-instances/by-id", new JsonObject { ["ids"] = "a" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private WorkflowInstanceStore Bookmarks() => _host.Services.GetRequiredService<WorkflowInstanceStore>();

    /// <summary>The scheduler's timers once the removals queued so far (they leave the request path) have run.</summary>
    private async Task<IReadOnlySet<string>> ScheduledTimersAsync()
    {
        await _host.Services.GetRequiredService<TimerRemovals>().FlushAsync(CancellationToken.None);
        return await _host.Services.GetRequiredService<IWorkflowScheduler>().GetScheduledBookmarkIdsAsync(CancellationToken.None);
    }

    /// <summary>Runs an instance up to its one-hour delay; returns it and the delay's timer bookmark.</summary>
    private async Task<(string InstanceId, string BookmarkId)> StartWaitingAsync(string definitionId)
    {
        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var state = run["workflowState"]!;
        ((string?)state["subStatus"]).Should().Be("Suspended");
        return ((string)state["id"]!, (string)state["bookmarks"]!.AsArray().Single()!["id"]!);
    }

    /// <summary>Start → Delay (one hour) → End, published.</summary>
    private async Task<string> SaveWaitingFlowAsync()
    {
        JsonObject Node(string id, string type) => new() { ["id"] = id, ["nodeId"] = $"Workflow1:root:{id}", ["name"] = id, ["type"] = type, ["version"] = 1 };
        JsonObject Connect(string from, string to) => new() { ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" } };
        var delay = Node("delay1", "Elsa.Delay");
        delay["timeSpan"] = new JsonObject { ["typeName"] = "TimeSpan", ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "01:00:00" } };
        var model = new JsonObject
        {
            ["name"] = "Waits an hour",
            ["root"] = new JsonObject
            {
                ["id"] = "root", ["type"] = "Elsa.Flowchart", ["version"] = 1,
                ["activities"] = new JsonArray(Node("start1", "Elsa.Start"), delay, Node("end1", "Elsa.End")),
                ["connections"] = new JsonArray(Connect("start1", "delay1"), Connect("delay1", "end1")),
            },
        };
        var saved = await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = true });
        return (string)saved["workflowDefinition"]!["definitionId"]!;
    }
}
