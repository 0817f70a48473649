using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Activities.Events;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>An event whose delivery fails for one receiver is delivered again, without reaching the others twice.</summary>
public sealed class EventRedeliveryTests : IAsyncLifetime
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

    [Fact]
    public async Task The_event_api_says_which_receivers_failed_and_still_reaches_the_others()
    {
        await AddBrokenTriggerAsync();
        var starter = await _api.PublishAsync(new FlowBuilder()
            .Activity("on", "Elsa.Event", Inputs(("eventName", Lit("Ping"))), canStart: true).Build(name: "Starter"));

        var response = await _api.PostAsJsonAsync("/elsa/api/events/Ping/trigger", new JsonObject());

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        ((string?)problem["title"]).Should().Contain("failed for 1");
        problem["errors"]!.AsArray().Select(e => (string?)e).Should().ContainSingle().Which.Should().Contain("vanished-v1");
        (await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = starter }))["items"]!.AsArray().Should().ContainSingle();
    }

    /// <summary>A receiver that fails on every attempt: a trigger whose definition version cannot be found.</summary>
    private async Task AddBrokenTriggerAsync()
    {
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync();
        db.Triggers.Add(new TriggerRecord
        {
            Id = "broken-trigger", DefinitionId = "vanished", DefinitionVersionId = "vanished-v1", ActivityId = "on",
            Name = Event.Stimulus, Hash = BookmarkHash.Compute(Event.Stimulus, Event.Payload("Ping")),
        });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_repeated_delivery_reaches_neither_the_instance_that_took_the_event_and_waits_again_nor_the_started_one()
    {
        var dbFactory = _host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>();
        // Stored first, so that it is also the first trigger the delivery tries.
        await AddBrokenTriggerAsync();
        // Takes every Ping and waits for the next one.
        var looper = await _api.PublishAsync(new FlowBuilder()
            .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("Ping"))))
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("pong"))))
            .Chain("wait", "w", "wait").Build(name: "Looper"));
        var starter = await _api.PublishAsync(new FlowBuilder()
            .Activity("on", "Elsa.Event", Inputs(("eventName", Lit("Ping"))), canStart: true)
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("started"))))
            .Chain("on", "w").Build(name: "Starter"));
        var publisher = await _api.PublishAsync(new FlowBuilder()
            .Activity("pub", "Elsa.PublishEvent", Inputs(("eventName", Lit("Ping")))).Build(name: "Publisher"));
        var looping = (string)(await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{looper}/execute", new JsonObject()))["workflowState"]!["id"]!;

        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{publisher}/execute", new JsonObject());

        // The first attempt and two repeats (after 2 and 4 seconds of back-off).
        OutboxRecord? message = null;
        for (var until = DateTime.UtcNow.AddSeconds(40); DateTime.UtcNow < until; await Task.Delay(250))
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            message = await db.Outbox.AsNoTracking().SingleOrDefaultAsync(m => m.Type == PublishEvent.OutboxType);
            if (message?.Attempts >= 3) break;
        }
        message!.Attempts.Should().BeGreaterThanOrEqualTo(3);
        message.DeliveredAt.Should().BeNull("the broken receiver fails on every attempt");

        var journal = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{looping}/journal?take=1000");
        journal["items"]!.AsArray().Count(j => (string?)j!["activityId"] == "w" && (string?)j["eventName"] == "Completed")
            .Should().Be(1, "the instance took the event once; the bookmark it armed afterwards did not exist when the event was raised");
        var started = await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = starter });
        started["items"]!.AsArray().Should().ContainSingle("the trigger after the broken one was still reached, once");
    }
}
