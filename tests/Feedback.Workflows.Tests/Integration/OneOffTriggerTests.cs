using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>A published Start At trigger (one instant, no repeat) on PostgreSQL, with time moved by hand.</summary>
public sealed class OneOffTriggerTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString) { Time = _time };
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_start_at_trigger_starts_one_instance_however_often_its_timer_is_repaired_or_fires_late()
    {
        var at = _time.UtcNow.AddHours(1);
        var definitionId = await _api.PublishAsync(new FlowBuilder()
            .Activity("at", "Elsa.StartAt", Inputs(("dateTime", In("Literal", at.ToString("O"), "DateTimeOffset"))), canStart: true)
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("once"))))
            .Chain("at", "w").Build(name: "Once"));
        string triggerId;
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync())
            triggerId = await db.Triggers.Where(t => t.DefinitionId == definitionId).Select(t => t.Id).SingleAsync();

        await _time.AdvanceAsync(TimeSpan.FromHours(2));
        (await InstancesOfAsync(definitionId)).Should().ContainSingle();

        // The fired timer is gone from the scheduler, as Quartz deletes it; repair (at start-up and every minute) must not bring it back.
        var scheduler = _host.Services.GetRequiredService<IWorkflowScheduler>();
        await _host.Services.GetRequiredService<TimerReconciler>().ReconcileAsync(CancellationToken.None);
        (await scheduler.GetScheduledTriggerIdsAsync(CancellationToken.None)).Should().NotContain(triggerId);

        // A late firing all the same (a misfire is reported at the time it ran, not at the trigger's instant) starts nothing new.
        await _host.Services.GetRequiredService<IScheduledWorkHandler>().StartFromTriggerAsync(triggerId, _time.UtcNow, CancellationToken.None);
        await _time.AdvanceAsync(TimeSpan.FromHours(1));
        (await InstancesOfAsync(definitionId)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_fired_start_at_trigger_does_not_fire_again_when_an_edit_is_published_or_the_definition_is_republished()
    {
        var at = _time.UtcNow.AddHours(1);
        JsonObject Flow(string text) => new FlowBuilder()
            .Activity("at", "Elsa.StartAt", Inputs(("dateTime", In("Literal", at.ToString("O"), "DateTimeOffset"))), canStart: true)
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit(text))))
            .Chain("at", "w").Build(name: "Once edited");
        var definitionId = await _api.PublishAsync(Flow("once"));
        await _time.AdvanceAsync(TimeSpan.FromHours(2));
        (await InstancesOfAsync(definitionId)).Should().ContainSingle();

        // An edit of another activity, published after the instant: the trigger's instant is in the past and already fired.
        var edit = Flow("edited");
        edit["definitionId"] = definitionId;
        await _api.PublishAsync(edit);
        await _time.AdvanceAsync(TimeSpan.FromMinutes(5));
        await _host.Services.GetRequiredService<TimerReconciler>().ReconcileAsync(CancellationToken.None);
        await _time.AdvanceAsync(TimeSpan.FromMinutes(5));
        (await InstancesOfAsync(definitionId)).Should().ContainSingle();

        // Retracted and published again: the trigger row is new, but its firing is recognised as the one that already ran.
        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/retract", new JsonObject());
        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/publish", new JsonObject());
        await _time.AdvanceAsync(TimeSpan.FromMinutes(5));
        await _host.Services.GetRequiredService<TimerReconciler>().ReconcileAsync(CancellationToken.None);
        await _time.AdvanceAsync(TimeSpan.FromMinutes(5));
        (await InstancesOfAsync(definitionId)).Should().ContainSingle();
    }

    private async Task<JsonArray> InstancesOfAsync(string definitionId) =>
        (await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = definitionId, ["pageSize"] = 100 }))["items"]!.AsArray();
}
