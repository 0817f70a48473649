using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>The list filters the Studio's instance list uses: versions by id with an empty version option, and statuses.</summary>
public sealed class ListFilterTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static JsonObject Flow(string text, string? definitionId = null) =>
        new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit(text)))).Build(definitionId, name: "Versions listed");

    [Fact]
    public async Task An_empty_version_option_filters_no_version_so_an_older_version_is_found_by_its_id()
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(Flow("v1"));
        var v1 = (string)(await api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published"))["id"]!;
        await api.PublishAsync(Flow("v2", definitionId));

        // What the Studio's instance list asks to name a row of an instance on version 1.
        var items = (await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=&Ids={v1}"))["items"]!.AsArray();

        items.Select(i => (string?)i!["id"]).Should().Equal(v1);
        ((int)items[0]!["version"]!).Should().Be(1);
        (await api.GetJsonAsync($"/elsa/api/workflow-definitions?definitionIds={definitionId}"))["items"]!.AsArray().Should().HaveCount(2, "no option lists every version");
        (await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=LatestOrPublished&definitionIds={definitionId}"))["items"]!.AsArray()
            .Select(i => (int)i!["version"]!).Should().Equal(2);
    }

    [Fact]
    public async Task The_instance_list_honours_the_statuses_in_its_body()
    {
        var api = _host.Api();
        var finishing = await api.PublishAsync(Flow("done"));
        var waiting = await api.PublishAsync(new FlowBuilder().Activity("e", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build(name: "Waits"));
        var finished = (string)(await api.PostJsonAsync($"/elsa/api/workflow-definitions/{finishing}/execute", new JsonObject()))["workflowState"]!["id"]!;
        var running = (string)(await api.PostJsonAsync($"/elsa/api/workflow-definitions/{waiting}/execute", new JsonObject()))["workflowState"]!["id"]!;

        async Task<IEnumerable<string?>> ListAsync(params string[] statuses) =>
            (await api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject
            {
                ["page"] = 0, ["pageSize"] = 10, ["status"] = null,
                ["statuses"] = new JsonArray(statuses.Select(s => (JsonNode?)s).ToArray()), ["subStatuses"] = new JsonArray(),
            }))["items"]!.AsArray().Select(i => (string?)i!["id"]);

        (await ListAsync("Running")).Should().Equal(running);
        (await ListAsync("Finished")).Should().Equal(finished);
        (await ListAsync("Running", "Finished")).Should().BeEquivalentTo([running, finished]);
        (await ListAsync()).Should().HaveCount(2);
    }
}
