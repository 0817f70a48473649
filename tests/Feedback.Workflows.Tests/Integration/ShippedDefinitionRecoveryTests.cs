using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>A shipped definition whose version was saved but whose shipped record was not is still updated by later releases.</summary>
public sealed class ShippedDefinitionRecoveryTests : IAsyncLifetime
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
        new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit(text)))).Build("recovered-flow", "Recovered flow").ToJsonString();

    [Fact]
    public async Task A_release_whose_shipped_record_was_lost_after_its_save_is_not_taken_for_an_admin_edit()
    {
        var loader = _host.Services.GetRequiredService<ShippedDefinitionLoader>();
        var store = _host.Services.GetRequiredService<WorkflowDefinitionStore>();
        (await loader.LoadAsync(Shipped("v1"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Published);

        // The loader's save of release 2 committed, and the connection was lost before its shipped record was written.
        await store.SaveAsync(JsonNode.Parse(Shipped("v2"))!.AsObject(), publish: true, CancellationToken.None);

        (await loader.LoadAsync(Shipped("v2"), CancellationToken.None)).Should().NotBe(ShippedDefinitionLoader.Outcome.KeptAdminEdits);
        (await loader.LoadAsync(Shipped("v2"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Unchanged);
        (await loader.LoadAsync(Shipped("v3"), CancellationToken.None)).Should().Be(ShippedDefinitionLoader.Outcome.Updated);
        var current = await store.FindAsync("recovered-flow", VersionOptions.Published, CancellationToken.None);
        current!.Json.Should().Contain("v3");
    }
}
