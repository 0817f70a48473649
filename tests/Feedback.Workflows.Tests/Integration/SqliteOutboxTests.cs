using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Event delivery through the outbox on the embedded default (SQLite, one writer at a time).</summary>
public sealed class SqliteOutboxTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("feedback-sqlite-outbox-").FullName;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public Task InitializeAsync()
    {
        _host = new TestHost($"Data Source={Path.Combine(_folder, "feedback.db")}") { Provider = "Sqlite", DataFolder = _folder };
        _api = _host.Api();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_published_event_resumes_the_waiting_instance_and_starts_the_triggered_one()
    {
        var listener = await _api.PublishAsync(new FlowBuilder()
            .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("CaseClosed"))))
            .Activity("name", "Elsa.SetName", Inputs(("value", Lit("heard it"))))
            .Chain("wait", "name").Build(name: "Listener"));
        var starter = await _api.PublishAsync(new FlowBuilder()
            .Activity("on", "Elsa.Event", Inputs(("eventName", Lit("CaseClosed"))), canStart: true)
            .Activity("name", "Elsa.SetName", Inputs(("value", Lit("started by event"))))
            .Chain("on", "name").Build(name: "Starter"));
        var publisher = await _api.PublishAsync(new FlowBuilder()
            .Activity("pub", "Elsa.PublishEvent", Inputs(("eventName", Lit("CaseClosed"))))
            .Build(name: "Publisher"));

        var waiting = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{listener}/execute", new JsonObject());
        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{publisher}/execute", new JsonObject());

        // The busy timeout of a blocked SQLite write is 30 s: well within it, the delivery must have gone through.
        var resumed = await _api.WaitForAsync((string)waiting["workflowState"]!["id"]!, "Finished", TimeSpan.FromSeconds(15));
        ((string?)resumed["name"]).Should().Be("heard it");
        var started = await InstancesOfAsync(starter);
        for (var until = DateTime.UtcNow.AddSeconds(10); started.Count == 0 && DateTime.UtcNow < until; started = await InstancesOfAsync(starter))
            await Task.Delay(200);
        started.Should().ContainSingle().Which!["name"]!.GetValue<string>().Should().Be("started by event");
    }

    private async Task<JsonArray> InstancesOfAsync(string definitionId) =>
        (await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = definitionId, ["pageSize"] = 100 }))["items"]!.AsArray();
}
