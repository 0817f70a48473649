using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Shipped;

/// <summary>Shipped definitions are published when absent, updated when unedited, and never overwrite an admin's edit.</summary>
public sealed class ShippedDefinitionLoaderTests : IAsyncLifetime
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

    private static string Shipped(string text) =>
        new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit(text)))).Build("shipped-flow", "Shipped flow").ToJsonString();

    [Fact]
    public async Task Publishes_when_absent_updates_when_unedited_and_keeps_admin_edits()
    {
        var loader = _host.Services.GetRequiredService<ShippedDefinitionLoader>();
        var api = _host.Api();

        (await loader.LoadAsync(Shipped("v1"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Published);
        (await loader.LoadAsync(Shipped("v1"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Unchanged);
        (await loader.LoadAsync(Shipped("v2"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Updated);

        var edited = JsonNode.Parse(Shipped("admin"))!.AsObject();
        (await api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = edited, ["publish"] = true })).EnsureSuccessStatusCode();

        (await loader.LoadAsync(Shipped("v3"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.KeptAdminEdits);
        var current = (await api.GetFromJsonAsync<JsonObject>("/elsa/api/workflow-definitions/by-definition-id/shipped-flow?versionOptions=Published"))!;
        ((string?)current["root"]!["activities"]![0]!["text"]!["expression"]!["value"]).Should().Be("admin");
    }

    [Fact]
    public async Task Hosts_starting_together_publish_a_shipped_definition_once_and_none_fails()
    {
        var loader = _host.Services.GetRequiredService<ShippedDefinitionLoader>();
        await using var other = new TestHost(_db.ConnectionString);
        var otherLoader = other.Services.GetRequiredService<ShippedDefinitionLoader>();

        // Several loads at once, as several hosts starting against one database run them.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? loader : otherLoader).LoadAsync(Shipped("v1"), CancellationToken.None))));

        outcomes.Should().ContainSingle(o => o == ShippedDefinitionLoader.Outcome.Published).And.OnlyContain(o => o != ShippedDefinitionLoader.Outcome.Updated);
        var versions = (await _host.Api().GetFromJsonAsync<JsonObject>("/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds=shipped-flow"))!;
        versions["items"]!.AsArray().Should().ContainSingle("one publish makes one version");
        (await loader.LoadAsync(Shipped("v1"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Unchanged);
    }

    [Fact]
    public async Task A_shipped_file_without_a_definition_id_is_refused()
    {
        var loader = _host.Services.GetRequiredService<ShippedDefinitionLoader>();
        var act = () => loader.LoadAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine").Build().ToJsonString(), CancellationToken.None);
        (await act.Should().ThrowAsync<Feedback.Workflows.Model.WorkflowDefinitionException>()).Which.Message.Should().Contain("definitionId");
    }
}
