using Feedback.Workflows.Tests.Infrastructure;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// A process owner edits flows in the real Elsa Studio served by the host: sign in, change and publish a saved flow,
/// build a new one by dragging activities, run them. The browser must see no failed request and no console error
/// beyond what a test provokes on purpose.
/// </summary>
public sealed class StudioEditingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString);
        _host.Start();
        _api = _host.Api();
        // The Studio is fetched by the host's build; without it there is nothing to test, and the page would say why.
        var studio = await _api.GetAsync("/studio/_framework/blazor.webassembly.js");
        ((int)studio.StatusCode).Should().Be(200, "the Elsa Studio files must be installed (building Feedback.Host runs 'npm ci' in src/Feedback.Host/Studio)");
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ChromiumFact]
    public async Task A_saved_flow_is_edited_autosaved_and_published_as_version_2_and_runs_from_the_editor()
    {
        var definitionId = await SaveFeedbackFlowAsync();
        await using var browser = await BrowserSession.StartAsync("edit-saved-flow");
        var studio = new StudioPage(browser.Page, _host.Address!);

        await browser.Page.GotoAsync(studio.Url("/studio"));
        browser.Page.Url.Should().Contain("/studio/signin");
        await studio.SignInAsync(StudioTestHost.UserName, "not the password", expectSuccess: false);
        await browser.ScreenshotAsync("wrong-password");
        // Provoked: a wrong password answers 401, which the browser also logs.
        browser.Consume(p => p.StartsWith("HTTP 401 POST") && p.EndsWith("/studio/signin"),
                        p => p.StartsWith("console error: Failed to load resource") && p.Contains("401"));

        await studio.SignInAsync(StudioTestHost.UserName, StudioTestHost.Password);
        browser.Page.Url.Should().EndWith("/studio/workflows/definitions");
        await browser.ScreenshotAsync("workflow-list");

        await browser.Page.ClickAsync("text=Complaint follow-up");
        await studio.WaitForDesignerAsync();
        foreach (var (id, name, displayName) in FeedbackFlowActivities)
        {
            var node = studio.Node(id);
            await node.WaitForAsync();
            (await node.TextContentAsync()).Should().Contain(name).And.Contain(displayName);
        }
        await browser.ScreenshotAsync("editor-opened");

        await studio.Node("delay1").ClickAsync();
        (await studio.InputField("Time Span").InputValueAsync()).Should().Be("00:00:01");
        var autosaved = await studio.ChangeInputAndWaitForAutosaveAsync("Time Span", "00:00:02");
        Delay(autosaved)["timeSpan"]!["expression"]!["value"]!.GetValue<string>().Should().Be("00:00:02");
        await browser.ScreenshotAsync("input-changed-and-autosaved");

        await studio.PublishAsync();
        await browser.ScreenshotAsync("published");

        var published = await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published");
        published["version"]!.GetValue<int>().Should().Be(2);
        Delay(published)["timeSpan"]!["expression"]!["value"]!.GetValue<string>().Should().Be("00:00:02");
        var versions = await _api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");
        versions["items"]!.AsArray().Select(v => (v!["version"]!.GetValue<int>(), v["isPublished"]!.GetValue<bool>()))
            .Should().BeEquivalentTo([(1, false), (2, true)]);

        // Run opens the new instance in the shell's instance viewer, which shows the run activity by activity.
        await browser.Page.ClickAsync("button.mud-success-text");
        await browser.Page.WaitForURLAsync("**/studio/workflows/instances/*/view", new PageWaitForURLOptions { Timeout = 60_000 });
        var instanceId = browser.Page.Url.Split('/')[^2];
        await studio.Node("end1").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        var finished = await _api.WaitForInstanceAsync(instanceId, "Finished", TimeSpan.FromSeconds(30));
        ((string?)finished["subStatus"]).Should().Be("Finished");
        ((int?)finished["version"]).Should().Be(2);
        await studio.WaitForJournalEntryAsync("Delay - Completed", TimeSpan.FromSeconds(15));
        await browser.ScreenshotAsync("instance-viewer");

        await browser.Page.ClickAsync("header >> text=Instances");
        await browser.Page.Locator("table tbody tr", new PageLocatorOptions { HasText = instanceId }).WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        await browser.ScreenshotAsync("instance-list");

        output.WriteLine(browser.Summary);
        browser.Problems.Should().BeEmpty();
    }

    [ChromiumFact]
    public async Task A_new_flow_is_built_by_dragging_and_connecting_activities_then_published_and_run()
    {
        await using var browser = await BrowserSession.StartAsync("build-new-flow");
        var studio = new StudioPage(browser.Page, _host.Address!);
        await browser.Page.GotoAsync(studio.Url("/studio/workflows/definitions/new"));
        await studio.SignInAsync(StudioTestHost.UserName, StudioTestHost.Password);
        browser.Page.Url.Should().EndWith("/studio/workflows/definitions/new");

        await browser.Page.FillAsync("input[name=name]", "Acknowledge complaint");
        await browser.Page.FillAsync("textarea[name=description]", "Built in the Studio by dragging activities.");
        await browser.Page.ClickAsync("main button[type=submit]");
        await browser.Page.WaitForURLAsync("**/studio/workflows/definitions/*/edit");
        var definitionId = browser.Page.Url.Split('/')[^2];
        await studio.WaitForDesignerAsync();
        await browser.ScreenshotAsync("empty-editor");

        var startSaved = studio.WaitForSaveAsync(m => Activities(m).Count == 1, publish: false);
        await studio.DragFromToolboxAsync("Flow", "Start", 150, 200);
        await startSaved;
        var writeSaved = studio.WaitForSaveAsync(m => Activities(m).Count == 2, publish: false);
        await studio.DragFromToolboxAsync("Primitives", "Write Line", 500, 200);
        await writeSaved;
        var start = studio.NodeNamed("Start1");
        var writeLine = studio.NodeNamed("WriteLine1");
        await start.WaitForAsync();
        await writeLine.WaitForAsync();
        await browser.ScreenshotAsync("activities-dropped");

        // A dropped activity is already selected, and X6 lays its selection box over it; the click goes to that box.
        await writeLine.ClickAsync(new LocatorClickOptions { Force = true });
        await studio.ChangeInputAndWaitForAutosaveAsync("Text", "We received your complaint");
        var connected = studio.WaitForSaveAsync(m => m["root"]?["connections"] is JsonArray { Count: 1 }, publish: false);
        await studio.ConnectAsync(start, "Done", writeLine);
        var model = await connected;
        var ids = Activities(model).ToDictionary(a => (string)a["type"]!, a => (string)a["id"]!);
        var connection = model["root"]!["connections"]![0]!;
        ((string?)connection["source"]!["activity"]).Should().Be(ids["Elsa.Start"]);
        ((string?)connection["target"]!["activity"]).Should().Be(ids["Elsa.WriteLine"]);
        await browser.ScreenshotAsync("connected");

        await studio.PublishAsync();
        await browser.ScreenshotAsync("published");

        var published = await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published");
        ((string?)published["name"]).Should().Be("Acknowledge complaint");
        Activities(published).Should().HaveCount(2);
        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        ((string?)run["workflowState"]!["subStatus"]).Should().Be("Finished");
        var instanceId = (string)run["workflowState"]!["id"]!;
        var journal = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}/journal");
        journal["items"]!.AsArray().Select(j => (string?)j!["message"]).Should().Contain("We received your complaint");

        output.WriteLine(browser.Summary);
        browser.Problems.Should().BeEmpty();
    }

    private static readonly (string Id, string Name, string DisplayName)[] FeedbackFlowActivities =
    [
        ("start1", "Start1", "Start"), ("write1", "Thank the customer", "Write Line"), ("delay1", "Cooling-off period", "Delay"), ("end1", "End1", "End"),
    ];

    /// <summary>Start → WriteLine → Delay (1 s) → End, saved and published through the API as version 1.</summary>
    private async Task<string> SaveFeedbackFlowAsync()
    {
        JsonObject Activity(string id, string name, string type, int x, JsonObject? inputs = null)
        {
            var activity = new JsonObject
            {
                ["id"] = id, ["nodeId"] = $"Workflow1:root:{id}", ["name"] = name, ["type"] = type, ["version"] = 1,
                ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = x, ["y"] = 100 } } },
            };
            foreach (var (key, value) in inputs ?? []) activity[key] = value?.DeepClone();
            return activity;
        }
        JsonObject Literal(string typeName, string value) => new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = value } };
        JsonObject Connect(string from, string to) => new() { ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" } };

        var model = new JsonObject
        {
            ["name"] = "Complaint follow-up",
            ["description"] = "Thanks the customer, then waits before closing.",
            ["root"] = new JsonObject
            {
                ["id"] = "root", ["nodeId"] = "Workflow1:root", ["type"] = "Elsa.Flowchart", ["version"] = 1, ["name"] = "Flowchart1",
                ["activities"] = new JsonArray(
                    Activity("start1", "Start1", "Elsa.Start", -300),
                    Activity("write1", "Thank the customer", "Elsa.WriteLine", -50, new JsonObject { ["text"] = Literal("String", "Thank you for your feedback") }),
                    Activity("delay1", "Cooling-off period", "Elsa.Delay", 250, new JsonObject { ["timeSpan"] = Literal("TimeSpan", "00:00:01") }),
                    Activity("end1", "End1", "Elsa.End", 550)),
                ["connections"] = new JsonArray(Connect("start1", "write1"), Connect("write1", "delay1"), Connect("delay1", "end1")),
            },
        };
        var saved = await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = true });
        return (string)saved["workflowDefinition"]!["definitionId"]!;
    }

    private static List<JsonObject> Activities(JsonObject model) =>
        (model["root"]?["activities"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static JsonObject Delay(JsonObject model) => Activities(model).Single(a => (string?)a["id"] == "delay1");
}
