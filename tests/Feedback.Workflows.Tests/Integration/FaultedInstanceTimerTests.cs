using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>A faulted instance keeps its timer bookmarks for a retry, but no timers; the retry brings them back.</summary>
public sealed class FaultedInstanceTimerTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString) { Time = _time };
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Repair_does_not_schedule_the_timers_of_a_faulted_instance_and_a_retry_does()
    {
        var api = _host.Api();
        await api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("warm")))).Build(name: "Warm-up"));
        // Fails until a moment of the wall clock (scripts read the real time), so that the retry after it succeeds.
        var failsUntil = DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeMilliseconds();
        var definitionId = await api.PublishAsync(new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit("01:00:00"))))
            .Activity("after", "Elsa.WriteLine", Inputs(("text", Lit("after"))))
            .Activity("flaky", "Elsa.WriteLine", Inputs(("text", Js($"Date.now() < {failsUntil} ? undefinedThing.x : 'ok'"))))
            .Connect("fork", "delay", "A").Connect("delay", "after").Connect("fork", "flaky", "B").Build(name: "Faulted timer"));
        var run = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var id = (string)run["workflowState"]!["id"]!;
        ((string?)run["workflowState"]!["subStatus"]).Should().Be("Faulted");
        var bookmarkId = (string)run["workflowState"]!["bookmarks"]![0]!["id"]!;

        var scheduler = _host.Services.GetRequiredService<IWorkflowScheduler>();
        var reconciler = _host.Services.GetRequiredService<TimerReconciler>();
        await _host.Services.GetRequiredService<TimerRemovals>().FlushAsync(CancellationToken.None);
        for (var pass = 0; pass < 3; pass++)
        {
            (await reconciler.ReconcileAsync(CancellationToken.None)).Scheduled.Should().Be(0);
            (await scheduler.GetScheduledBookmarkIdsAsync(CancellationToken.None)).Should().NotContain(bookmarkId);
        }

        var wait = DateTimeOffset.FromUnixTimeMilliseconds(failsUntil) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait + TimeSpan.FromMilliseconds(100));
        var retried = await api.PostJsonAsync($"/elsa/api/workflow-instances/{id}/retry", new JsonObject());
        ((string?)retried["workflowState"]!["subStatus"]).Should().Be("Suspended");
        (await scheduler.GetScheduledBookmarkIdsAsync(CancellationToken.None)).Should().Contain(bookmarkId);

        await _time.AdvanceAsync(TimeSpan.FromHours(2));
        ((string?)(await api.InstanceAsync(id))["subStatus"]).Should().Be("Finished", "the delay's timer fired after the retry");
    }
}
