using Feedback.Workflows.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// The Studio's activity Test tab (one activity of a saved draft runs on its own and nothing is stored) and the options
/// it asks for dropdown inputs.
/// </summary>
public sealed class ActivityTestApiTests : IAsyncLifetime
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
    public async Task One_activity_runs_alone_with_its_outputs_and_outcome_and_leaves_no_instance()
    {
        var versionId = await SaveDraftAsync();

        var classified = await TestAsync(versionId, "Workflow1:root:classify1");
        ((string?)classified["status"]).Should().Be("Completed");
        ((string?)classified["outputs"]!["Category"]).Should().Be("ProductQuality");
        ((bool?)classified["outputs"]!["FoodSafety"]).Should().BeTrue();
        classified["payload"]!["outcomes"]!.AsArray().Select(o => (string?)o).Should().Equal("FoodSafety");
        classified["exception"].Should().BeNull();

        var waiting = await TestAsync(versionId, "Workflow1:root:delay1");
        ((string?)waiting["status"]).Should().Be("Running", "the delay would wait on its timer");

        var faulted = await TestAsync(versionId, "Workflow1:root:broken1");
        ((string?)faulted["status"]).Should().Be("Faulted");
        ((string?)faulted["exception"]!["message"]).Should().Contain("broken1").And.Contain("Text");

        // Only the activity ran: no instance, no bookmark, no timer was stored.
        var instances = await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject());
        ((int)instances["totalCount"]!).Should().Be(0);

        var unknown = await _api.PostAsJsonAsync("/elsa/api/tests/activities", Request(versionId, "Workflow1:root:nope"));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _api.PostAsJsonAsync("/elsa/api/tests/activities", new JsonObject())).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Dropdown_options_are_answered_from_the_inputs_descriptor()
    {
        var options = await _api.PostJsonAsync("/elsa/api/descriptors/activities/Feedback.SlaClock/options/Action", new JsonObject { ["context"] = null });
        options["items"]!["dropdown"]!["selectList"]!["items"]!.AsArray().Select(i => (string?)i!["value"])
            .Should().Equal("Stop", "Pause", "Resume", "Start");

        var plain = await _api.PostJsonAsync("/elsa/api/descriptors/activities/Feedback.SlaClock/options/Clock?version=1", new JsonObject());
        plain["items"]!.AsObject().Should().BeEmpty("a free-text input has no options");

        (await _api.PostAsJsonAsync("/elsa/api/descriptors/activities/Feedback.SlaClock/options/Nope", new JsonObject())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _api.PostAsJsonAsync("/elsa/api/descriptors/activities/Feedback.SlaClock/options/Action?version=9", new JsonObject())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _api.PostAsJsonAsync("/elsa/api/descriptors/activities/No.Such/options/Action", new JsonObject())).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task<JsonObject> TestAsync(string versionId, string nodeId) =>
        await _api.PostJsonAsync("/elsa/api/tests/activities", Request(versionId, nodeId));

    // The Studio's own request shape.
    private static JsonObject Request(string versionId, string nodeId) => new()
    {
        ["workflowDefinitionHandle"] = new JsonObject { ["definitionId"] = null, ["versionOptions"] = null, ["definitionVersionId"] = versionId },
        ["activityHandle"] = new JsonObject { ["activityId"] = null, ["activityNodeId"] = nodeId, ["activityInstanceId"] = null, ["activityHash"] = null },
    };

    /// <summary>Start → Classify Feedback → Delay (an hour) → WriteLine whose script throws; saved as a draft.</summary>
    private async Task<string> SaveDraftAsync()
    {
        JsonObject Node(string id, string type, string key, string syntax, string typeName, string value) => new()
        {
            ["id"] = id, ["nodeId"] = $"Workflow1:root:{id}", ["name"] = id, ["type"] = type, ["version"] = 1,
            [key] = new JsonObject { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = syntax, ["value"] = value } },
        };
        JsonObject Connect(string from, string port, string to) => new() { ["source"] = new JsonObject { ["activity"] = from, ["port"] = port }, ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" } };
        var model = new JsonObject
        {
            ["name"] = "Test tab",
            ["root"] = new JsonObject
            {
                ["id"] = "root", ["type"] = "Elsa.Flowchart", ["version"] = 1,
                ["activities"] = new JsonArray(
                    new JsonObject { ["id"] = "start1", ["type"] = "Elsa.Start", ["version"] = 1 },
                    Node("classify1", "Feedback.ClassifyFeedback", "text", "Literal", "String", "Found a piece of metal in my tuna can. I'm calling my lawyer."),
                    Node("delay1", "Elsa.Delay", "timeSpan", "Literal", "TimeSpan", "01:00:00"),
                    Node("broken1", "Elsa.WriteLine", "text", "JavaScript", "String", "undefinedFunction()")),
                ["connections"] = new JsonArray(Connect("start1", "Done", "classify1"), Connect("classify1", "Classified", "delay1"), Connect("delay1", "Done", "broken1")),
            },
        };
        var saved = await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = false });
        return (string)saved["workflowDefinition"]!["id"]!;
    }
}
