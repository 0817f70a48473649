using Feedback.Workflows.Tests.Infrastructure;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// A process owner builds a flow from nothing in the real Elsa Studio around a feedback activity: Start → Classify
/// Feedback → (FoodSafety) → Finish, with the feedback text typed into the activity's input. Published from the editor,
/// the flow is run through the API and must classify the text the way the activity does. The browser must see no
/// failed request and no console error.
/// </summary>
public sealed class StudioFeedbackActivityTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Metal in a can and a lawyer: ProductQuality, severity A, and the FoodSafety port.
    private const string Complaint = "Found a piece of metal in my tuna can. I'm calling my lawyer.";
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString);
        _host.Start();
        _api = _host.Api();
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
    public async Task A_flow_built_from_scratch_around_Classify_Feedback_is_published_and_classifies_when_run()
    {
        await using var browser = await BrowserSession.StartAsync("build-classify-flow");
        var studio = new StudioPage(browser.Page, _host.Address!);
        await browser.Page.GotoAsync(studio.Url("/studio/workflows/definitions/new"));
        await studio.SignInAsync(StudioTestHost.UserName, StudioTestHost.Password);

        await browser.Page.FillAsync("input[name=name]", "Classify incoming feedback");
        await browser.Page.ClickAsync("main button[type=submit]");
        await browser.Page.WaitForURLAsync("**/studio/workflows/definitions/*/edit");
        var definitionId = browser.Page.Url.Split('/')[^2];
        await studio.WaitForDesignerAsync();
        await browser.ScreenshotAsync("empty-editor");

        // Within the canvas's left part: once an activity is selected, its property pane covers the right side.
        await DropAsync(studio, "Flow", "Start", 150, 200, expectedCount: 1);
        await DropAsync(studio, "Feedback", "Classify Feedback", 450, 200, expectedCount: 2);
        await DropAsync(studio, "Flow", "Finish", 450, 480, expectedCount: 3);
        var start = studio.NodeNamed("Start1");
        var classify = studio.NodeNamed("ClassifyFeedback1");
        var finish = studio.NodeNamed("Finish1");
        await Task.WhenAll(start.WaitForAsync(), classify.WaitForAsync(), finish.WaitForAsync());
        (await StudioPage.OutcomePortsAsync(classify)).Select(p => p.Port).Should().Equal("Classified", "Uncertain", "FoodSafety");
        await browser.ScreenshotAsync("activities-dropped");

        // A dropped activity is already selected, and X6 lays its selection box over it; the click goes to that box.
        await classify.ClickAsync(new LocatorClickOptions { Force = true });
        var typed = await studio.ChangeLabelledInputAndWaitForAutosaveAsync("Text", Complaint);
        var text = Activities(typed).Single(a => (string?)a["type"] == "Feedback.ClassifyFeedback")["text"]!;
        ((string?)text["expression"]!["value"]).Should().Be(Complaint);
        await browser.ScreenshotAsync("text-typed");

        // A click on the empty canvas clears the selection, whose frame would otherwise lie over the In port.
        await browser.Page.Locator(".x6-graph").ClickAsync(new LocatorClickOptions { Position = new Position { X = 150, Y = 420 } });
        var firstConnection = studio.WaitForSaveAsync(m => Connections(m).Count == 1, publish: false);
        await studio.ConnectAsync(start, "Done", classify);
        await browser.ScreenshotAsync("start-connected");
        await firstConnection;
        var secondConnection = studio.WaitForSaveAsync(m => Connections(m).Count == 2, publish: false);
        await studio.ConnectAsync(classify, "FoodSafety", finish);
        var model = await secondConnection;
        var ids = Activities(model).ToDictionary(a => (string)a["type"]!, a => (string)a["id"]!);
        Connections(model).Select(c => ((string?)c["source"]!["activity"], (string?)c["source"]!["port"], (string?)c["target"]!["activity"]))
            .Should().BeEquivalentTo([
                (ids["Elsa.Start"], "Done", ids["Feedback.ClassifyFeedback"]),
                (ids["Feedback.ClassifyFeedback"], "FoodSafety", ids["Elsa.Finish"]),
            ]);
        await browser.ScreenshotAsync("connected");

        await studio.PublishAsync();
        await browser.ScreenshotAsync("published");

        var published = await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published");
        ((string?)published["name"]).Should().Be("Classify incoming feedback");
        Activities(published).Should().HaveCount(3);

        var run = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        ((string?)run["workflowState"]!["subStatus"]).Should().Be("Finished");
        var instanceId = (string)run["workflowState"]!["id"]!;
        var executions = (await _api.GetJsonAsync($"/elsa/api/activity-executions/list?workflowInstanceId={instanceId}"))["items"]!.AsArray();
        var classified = executions.Single(e => (string?)e!["activityType"] == "Feedback.ClassifyFeedback")!;
        ((string?)classified["status"]).Should().Be("Completed");
        ((string?)classified["outputs"]!["Category"]).Should().Be("ProductQuality");
        ((string?)classified["outputs"]!["Severity"]).Should().Be("A");
        ((bool?)classified["outputs"]!["FoodSafety"]).Should().BeTrue();
        // Finish runs only through the FoodSafety port, so its execution proves the outcome the activity chose.
        executions.Should().Contain(e => (string?)e!["activityType"] == "Elsa.Finish" && (string?)e["status"] == "Completed");

        // The activity's Test tab runs it alone on the server (nothing stored) and shows what it produced.
        await classify.ClickAsync(new LocatorClickOptions { Force = true });
        await browser.Page.ClickAsync(".mud-tab:has-text(\"Test\")");
        var tested = browser.Page.WaitForResponseAsync(r => r.Request.Method == "POST" && r.Url.EndsWith("/elsa/api/tests/activities", StringComparison.Ordinal));
        await browser.Page.ClickAsync("button.mud-button-filled-success:has-text(\"Start\")");
        var test = await tested;
        test.Status.Should().Be(200);
        var result = JsonNode.Parse(await test.TextAsync())!;
        ((string?)result["status"]).Should().Be("Completed");
        ((string?)result["outputs"]!["Category"]).Should().Be("ProductQuality");
        await browser.Page.Locator("text=Select the Start button to run the activity.").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden });
        await browser.ScreenshotAsync("activity-tested");
        var instances = await _api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject());
        ((int)instances["totalCount"]!).Should().Be(1, "the test run stored no instance beside the API run");

        output.WriteLine(browser.Summary);
        browser.Problems.Should().BeEmpty();
    }

    private static async Task DropAsync(StudioPage studio, string category, string displayName, float x, float y, int expectedCount)
    {
        var saved = studio.WaitForSaveAsync(m => Activities(m).Count == expectedCount, publish: false);
        await studio.DragFromToolboxAsync(category, displayName, x, y);
        await saved;
    }

    private static List<JsonObject> Activities(JsonObject model) =>
        (model["root"]?["activities"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static List<JsonObject> Connections(JsonObject model) =>
        (model["root"]?["connections"] as JsonArray ?? []).OfType<JsonObject>().ToList();
}
