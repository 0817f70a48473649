using Feedback.Workflows.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// The host as it ships: the definitions in workflows/ published at start-up and the example organisation loaded. A
/// process owner opens every shipped flow in the real Elsa Studio and sees each activity with its outcome ports, then
/// changes a deadline of the general-feedback process and publishes it: cases registered before keep the old deadline
/// on version 1, cases registered after get the new one on version 2. The browser must see no failed request and no
/// console error.
/// </summary>
public sealed class ShippedWorkflowsStudioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string GeneralFeedback = "general-feedback";
    /// <summary>
    /// A task's due time is its creation time plus DueIn, but StaffTask reads the clock once for each (microseconds apart);
    /// a second's slack keeps the check about days.
    /// </summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;
    private HttpClient _public = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, settings: ShippedWorkflows.HostSettings);
        _host.Start();
        _api = _host.Api();
        _public = new HttpClient { BaseAddress = _host.Address, Timeout = TimeSpan.FromSeconds(60) };
        var studio = await _api.GetAsync("/studio/_framework/blazor.webassembly.js");
        ((int)studio.StatusCode).Should().Be(200, "the Elsa Studio files must be installed (building Feedback.Host runs 'npm ci' in src/Feedback.Host/Studio)");
    }

    public async Task DisposeAsync()
    {
        _public.Dispose();
        _api.Dispose();
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ChromiumFact]
    public async Task Every_shipped_flow_is_drawn_in_the_Studio_and_a_deadline_changed_there_applies_to_new_cases_only()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // General feedback last: its edit follows in the editor that is already open.
        var shipped = ShippedWorkflows.Load().OrderBy(d => (string)d["definitionId"]! == GeneralFeedback).ToList();
        shipped.Select(d => (string?)d["definitionId"]).Should().Contain(GeneralFeedback);
        foreach (var definition in shipped)
        {
            var response = await _api.GetAsync($"/elsa/api/workflow-definitions/by-definition-id/{definition["definitionId"]}?versionOptions=Published");
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"the host publishes every shipped definition at start-up, but not {definition["definitionId"]} (its log says why)");
        }
        var descriptors = (await _api.GetJsonAsync("/elsa/api/descriptors/activities"))["items"]!.AsArray().OfType<JsonObject>()
            .ToDictionary(d => (string)d["typeName"]!);

        // Wide, so that a shipped process (thousands of pixels long) stays readable when zoomed out to fit.
        await using var browser = await BrowserSession.StartAsync("shipped-flows", new ViewportSize { Width = 3840, Height = 1200 });
        var studio = new StudioPage(browser.Page, _host.Address!);
        await browser.Page.GotoAsync(studio.Url("/studio"));
        await studio.SignInAsync(StudioTestHost.UserName, StudioTestHost.Password);
        browser.Page.Url.Should().EndWith("/studio/workflows/definitions");
        await browser.ScreenshotAsync("workflow-list");

        foreach (var definition in shipped)
        {
            var definitionId = (string)definition["definitionId"]!;
            if (!browser.Page.Url.EndsWith("/studio/workflows/definitions", StringComparison.Ordinal))
                await browser.Page.ClickAsync("header.shell nav >> text=Workflows");
            await studio.OpenFromListAsync(definitionId, (string)definition["name"]!);
            output.WriteLine($"{clock.Elapsed}: {definitionId} opened");
            await CheckDrawnAsync(studio, definition, descriptors);
            await browser.ScreenshotAsync($"{definitionId}-drawn");
            output.WriteLine($"{clock.Elapsed}: {definitionId} checked");
        }
        // Looking is not editing: opening the flows saved nothing.
        foreach (var definition in shipped)
            (await VersionsAsync((string)definition["definitionId"]!)).Should().BeEquivalentTo([(1, true)], $"{definition["definitionId"]} was only opened");

        // The general-feedback process: the Plan task's deadline goes from 2 days to 4 hours. The cases below are swollen cans
        // (severity A), whose Plan clock gives one working day: version 1's plan is due then, version 2's four hours sooner.
        var flow = shipped.Single(d => (string)d["definitionId"]! == GeneralFeedback);
        var plan = ShippedWorkflows.Activities(flow).Single(a => (string?)a["name"] == "Plan");
        var planId = (string)plan["id"]!;
        var planTitle = (string)ShippedWorkflows.InputValue(plan, "Title")!;
        // The brief's example, spelled out: the Plan task offers its one action as a port.
        (await StudioPage.OutcomePortsAsync(studio.Node(planId))).Should().Equal([("Submit", "Submit")]);
        if (!browser.Page.Url.EndsWith($"/{GeneralFeedback}/edit", StringComparison.Ordinal))
        {
            await browser.Page.ClickAsync("header.shell nav >> text=Workflows");
            await studio.OpenFromListAsync(GeneralFeedback, (string)flow["name"]!);
        }
        await studio.Node(planId).ClickAsync();
        var dueIn = studio.InputField("Due In");
        await dueIn.ScrollIntoViewIfNeededAsync();
        (await dueIn.InputValueAsync()).Should().Be("2.00:00:00");
        await browser.ScreenshotAsync("plan-selected-due-in-2-days");
        var autosaved = await studio.ChangeInputAndWaitForAutosaveAsync("Due In", "04:00:00");
        DueIn(autosaved, planId).Should().Be("04:00:00");
        await browser.ScreenshotAsync("due-in-4-hours-autosaved");

        // Saved, not published: new cases still start on version 1.
        var draft = await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{GeneralFeedback}?versionOptions=Latest");
        ((int)draft["version"]!).Should().Be(2);
        ((bool)draft["isPublished"]!).Should().BeFalse();
        DueIn(draft, planId).Should().Be("04:00:00");
        var before = await RegisterAsync("罐头胀罐了，有异味", "wang@example.cn", planTitle);
        before.Instance["version"]!.GetValue<int>().Should().Be(1);
        output.WriteLine($"{clock.Elapsed}: {before.Number} registered");
        before.Plan.DueIn.Should().BeCloseTo(await PlanClockLeftAsync(before), Tolerance).And.BeLessThan(WorkingTime(before.Plan, TimeSpan.FromDays(2)));

        await studio.PublishAsync();
        await browser.ScreenshotAsync("published");
        output.WriteLine($"{clock.Elapsed}: published");
        var published = await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{GeneralFeedback}?versionOptions=Published");
        ((int)published["version"]!).Should().Be(2);
        DueIn(published, planId).Should().Be("04:00:00");
        (await VersionsAsync(GeneralFeedback)).Should().BeEquivalentTo([(1, false), (2, true)]);
        // The Studio's save kept the flow itself: the same activities and the same connections.
        ShippedWorkflows.Activities(published).Select(a => ((string?)a["id"], (string?)a["type"], (string?)a["name"]))
            .Should().BeEquivalentTo(ShippedWorkflows.Activities(flow).Select(a => ((string?)a["id"], (string?)a["type"], (string?)a["name"])));
        ShippedWorkflows.Connections(published).Should().BeEquivalentTo(ShippedWorkflows.Connections(flow));

        var after = await RegisterAsync("买的午餐肉罐头胀罐了，打开有异味", "li@example.cn", planTitle);
        after.Instance["version"]!.GetValue<int>().Should().Be(2);
        after.Plan.DueIn.Should().BeCloseTo(WorkingTime(after.Plan, TimeSpan.FromHours(4)), Tolerance);
        // Only the deadline changed: the task is otherwise the one version 1 opened.
        foreach (var property in new[] { "title", "instructions", "fields", "actions" })
            after.Plan.Task[property]!.ToJsonString().Should().Be(before.Plan.Task[property]!.ToJsonString(), property);

        // The case that started before publishing stays on version 1 with its deadline.
        var old = await _api.GetJsonAsync($"/elsa/api/workflow-instances/{before.InstanceId}");
        ((int)old["version"]!).Should().Be(1);
        ((string?)old["definitionVersionId"]).Should().Be((string?)before.Instance["definitionVersionId"]);
        ((string?)old["definitionVersionId"]).Should().NotBe((string?)after.Instance["definitionVersionId"]);
        ((string?)old["subStatus"]).Should().Be("Suspended");
        (await OpenPlanTaskAsync(before.Number, planTitle)).DueIn.Should().Be(before.Plan.DueIn);

        output.WriteLine($"cases: {before.Number} on v1 (plan due in {before.Plan.DueIn}), {after.Number} on v2 (plan due in {after.Plan.DueIn})");
        output.WriteLine(browser.Summary);
        browser.Problems.Should().BeEmpty();
    }

    /// <summary>Every activity is a node with its name and type, every outcome port is drawn and labelled, every connection is an edge.</summary>
    private async Task CheckDrawnAsync(StudioPage studio, JsonObject definition, IReadOnlyDictionary<string, JsonObject> descriptors)
    {
        var definitionId = (string)definition["definitionId"]!;
        var activities = ShippedWorkflows.Activities(definition);
        var connections = ShippedWorkflows.Connections(definition);
        activities.Should().NotBeEmpty($"{definitionId} has activities");
        await studio.Node((string)activities[0]["id"]!).WaitForAsync();

        foreach (var activity in activities)
        {
            var id = (string)activity["id"]!;
            var type = (string)activity["type"]!;
            descriptors.Should().ContainKey(type, $"{definitionId}/{id} is a {type}, which the host must describe");
            var descriptor = descriptors[type];
            var expected = ShippedWorkflows.ExpectedOutcomes(activity, descriptor);
            foreach (var (from, port, _, _) in connections.Where(c => c.From == id))
                expected.Should().ContainKey(port, $"{definitionId}/{id} is connected from its '{port}' port, so the designer must offer it");

            var node = studio.Node(id);
            await node.WaitForAsync();
            var text = await node.TextContentAsync() ?? "";
            text.Should().Contain((string)descriptor["displayName"]!, $"{definitionId}/{id} shows its activity type");
            if ((string?)activity["name"] is { Length: > 0 } name) text.Should().Contain(name, $"{definitionId}/{id} shows its name");

            // Ports are laid out with the node, but a dynamic port (a task's action) may follow a render later.
            IReadOnlyList<(string Port, string Label)> drawn = [];
            for (var until = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(200))
            {
                drawn = await StudioPage.OutcomePortsAsync(node);
                if (drawn.Count == expected.Count || DateTime.UtcNow > until) break;
            }
            drawn.Should().BeEquivalentTo(expected.Select(p => (p.Key, p.Value)), $"{definitionId}/{id} ({type}) draws these outcome ports with their labels");
        }

        (await studio.Page.Locator("g.x6-node").CountAsync()).Should().Be(activities.Count, $"{definitionId} draws one node per activity");
        (await studio.Page.Locator("g.x6-edge").CountAsync()).Should().Be(connections.Count, $"{definitionId} draws one edge per connection");
        await studio.ZoomToFitAsync();
    }

    private sealed record PlanTask(JsonObject Task, TimeSpan DueIn, DateTimeOffset CreatedAt);

    /// <summary>
    /// The plan's deadline counts working time on the quality department's shipped calendar: from the task's creation,
    /// <paramref name="working"/> (days are working days), as a span of wall-clock time.
    /// </summary>
    private static TimeSpan WorkingTime(PlanTask plan, TimeSpan working)
    {
        var calendar = Feedback.Activities.Sla.WorkingCalendars.LoadFolder(Path.Combine(ShippedWorkflows.Folder, "calendars")).For("quality").Calendar;
        return calendar.AddWorkingTime(plan.CreatedAt, calendar.WorkingSpan(working)) - plan.CreatedAt;
    }

    /// <summary>From the plan task's creation to the case's Plan clock deadline.</summary>
    private async Task<TimeSpan> PlanClockLeftAsync(Registered registered)
    {
        var clocks = (await _api.GetFromJsonAsync<JsonArray>($"/api/feedback/{registered.Number}/sla"))!;
        var plan = clocks.Single(c => (string?)c!["name"] == "Plan")!;
        return DateTimeOffset.Parse((string)plan["dueAt"]!, System.Globalization.CultureInfo.InvariantCulture) - registered.Plan.CreatedAt;
    }

    private sealed record Registered(string Number, string InstanceId, JsonObject Instance, PlanTask Plan);

    /// <summary>Registers a complaint through the public intake API and waits for its workflow to open the plan task.</summary>
    private async Task<Registered> RegisterAsync(string content, string email, string planTitle)
    {
        var response = await _public.PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = email, ["language"] = "zh-CN", ["content"] = content,
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        var plan = await OpenPlanTaskAsync(number, planTitle);
        var feedback = await _api.GetJsonAsync($"/api/feedback/{number}");
        ((string?)feedback["leadDepartment"]).Should().Be("quality", $"'{content}' is a product-quality complaint");
        ((string?)plan.Task["assignee"]).Should().Be((string?)feedback["owner"]).And.NotBeNull();
        var instanceId = (string)feedback["workflowInstanceId"]!;
        ((string?)plan.Task["workflowInstanceId"]).Should().Be(instanceId);
        return new Registered(number, instanceId, await _api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}"), plan);
    }

    /// <summary>The case's one open task, which must be the plan; its due time minus its creation time.</summary>
    private async Task<PlanTask> OpenPlanTaskAsync(string caseNumber, string planTitle)
    {
        JsonArray open = [];
        for (var until = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(250))
        {
            open = (await _api.GetJsonAsync($"/api/tasks?caseNumber={Uri.EscapeDataString(caseNumber)}&status=Open"))["items"]!.AsArray();
            if (open.Count > 0 || DateTime.UtcNow > until) break;
        }
        var task = open.Should().ContainSingle($"case {caseNumber} waits on its plan").Subject!.AsObject();
        ((string?)task["title"]).Should().Be(planTitle, $"case {caseNumber} was classified and assigned, so its plan is the open step");
        var dueAt = DateTimeOffset.Parse((string)task["dueAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        var createdAt = DateTimeOffset.Parse((string)task["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        return new PlanTask(task, dueAt - createdAt, createdAt);
    }

    private async Task<IReadOnlyList<(int Version, bool Published)>> VersionsAsync(string definitionId) =>
        (await _api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}"))["items"]!.AsArray()
            .Select(v => (v!["version"]!.GetValue<int>(), v["isPublished"]!.GetValue<bool>())).ToList();

    private static string? DueIn(JsonObject model, string activityId) =>
        (string?)ShippedWorkflows.InputValue(ShippedWorkflows.Activities(model).Single(a => (string?)a["id"] == activityId), "DueIn");
}
