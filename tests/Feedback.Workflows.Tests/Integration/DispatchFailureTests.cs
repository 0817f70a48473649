using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Starts that cannot succeed are refused up front, and dispatched instances that fail to start do not block the queue.</summary>
public sealed class DispatchFailureTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        // The test drives the worker itself, one pass at a time.
        _host = new TestHost(_db.ConnectionString) { RunsDispatchedInstances = false };
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static JsonObject Flow() =>
        new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("ran")))).Build(name: "Dispatch failures");

    [Theory]
    [InlineData("dispatch")]
    [InlineData("execute")]
    public async Task A_start_naming_an_unknown_trigger_activity_is_refused_and_stores_nothing(string route)
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(Flow());

        var problem = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/{route}",
            new JsonObject { ["triggerActivityId"] = "no-such-activity" }, expectedStatus: 400);

        ((string?)problem["detail"]).Should().Contain("no-such-activity");
        var instances = await api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = definitionId });
        instances["items"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Instances_that_cannot_start_are_faulted_after_a_few_attempts_and_the_ones_behind_them_run()
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(Flow());
        var runtime = _host.Services.GetRequiredService<WorkflowRuntime>();
        // More than one pass of the worker reads, all older than the good one, each with a trigger its version lacks
        // (stored before starts were checked, or by an older host).
        var poison = new List<string>();
        for (var i = 0; i < 52; i++)
            poison.Add((await runtime.DispatchAsync(new StartWorkflowRequest { DefinitionId = definitionId }, CancellationToken.None)).Id);
        var factory = _host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            foreach (var record in await db.Instances.Where(r => poison.Contains(r.Id)).ToListAsync())
            {
                var state = JsonNode.Parse(record.State)!.AsObject();
                state["startActivityId"] = "gone";
                record.State = state.ToJsonString();
            }
            await db.SaveChangesAsync();
        }
        await Task.Delay(50); // created after every poisoned one
        var good = (await runtime.DispatchAsync(new StartWorkflowRequest { DefinitionId = definitionId }, CancellationToken.None)).Id;

        var worker = _host.Services.GetRequiredService<PendingInstanceWorker>();
        // Each pass tries each of the 50 oldest once; a few attempts each, and the queue must have moved past them.
        for (var pass = 0; pass < 9; pass++)
            await worker.RunBatchAsync(CancellationToken.None);

        ((string?)(await api.InstanceAsync(good))["subStatus"]).Should().Be("Finished", "the instances ahead of it stopped blocking the queue");
        foreach (var id in poison)
        {
            var instance = await api.InstanceAsync(id);
            ((string?)instance["subStatus"]).Should().Be("Faulted");
            ((int)instance["incidentCount"]!).Should().Be(1);
            ((string?)instance["workflowState"]!["incidents"]![0]!["message"]).Should().Contain("gone");
        }
    }
}
