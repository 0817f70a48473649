using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Assignment;

/// <summary>Routing and assignment through a real process on PostgreSQL, with the example organisation.</summary>
public sealed class AssignResponsibilityTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString) { OrganizationSeedFile = Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json") };
        _api = _host.Api();
        // Assign, then wait; NoEligibleAssignee ends the flow so tests can tell the outcomes apart.
        var definition = new FlowBuilder()
            .Activity("assign", "Feedback.AssignResponsibility", Inputs(("category", Lit("ProductQuality"))))
            .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("done"))))
            .Activity("none", "Elsa.SetName", Inputs(("value", Lit("nobody"))))
            .Connect("assign", "wait", "Assigned").Connect("assign", "none", "NoEligibleAssignee")
            .Build("general-feedback", "Assign only");
        (await _api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonObject> SubmitAsync(string? complainedAbout = null)
    {
        var body = new JsonObject { ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "罐头鼓包了", ["complainedAbout"] = complainedAbout };
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        return (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
    }

    [Fact]
    public async Task Cases_go_to_the_lead_department_and_spread_over_its_least_loaded_members()
    {
        var first = await SubmitAsync();
        var second = await SubmitAsync();
        var third = await SubmitAsync();

        ((string?)first["leadDepartment"]).Should().Be("quality");
        first["helperDepartments"]!.AsArray().Select(d => (string?)d).Should().Equal("production");
        ((string?)first["status"]).Should().Be("Assigned");
        new[] { (string?)first["owner"], (string?)second["owner"] }.Should().BeEquivalentTo(["li.wei", "zhang.hua"]);
        ((string?)third["owner"]).Should().Be((string?)first["owner"], "after one case each, the tie goes to the first name again");
        first["history"]!.AsArray().Select(h => (string?)h!["action"]).Should().Equal("Registered", "Assigned", "HelpersNotified");
        ((string?)first["history"]![2]!["details"]).Should().Be("Helping departments told: production (wu.lei).");

        // While production's head is away, their delegate hears of the next case instead.
        var now = DateTimeOffset.UtcNow;
        await _host.Services.GetRequiredService<Feedback.Activities.Organization.AbsenceService>().SetAsync("wu.lei", now.AddHours(-1), now.AddDays(1), "zhao.qiang", default);
        ((string?)(await SubmitAsync())["history"]![2]!["details"]).Should().Be("Helping departments told: production (zhao.qiang).");
    }

    [Fact]
    public async Task Finished_cases_do_not_count_as_load()
    {
        var first = await SubmitAsync();
        await SubmitAsync();
        var third = await SubmitAsync();
        ((string?)first["owner"], (string?)third["owner"]).Should().Be(("li.wei", "li.wei"), "ties go to the first name");

        // li.wei answered both of theirs; zhang.hua still has one open, so li.wei is the less loaded now.
        await using (var scope = _host.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Feedback.Activities.Persistence.FeedbackDbContext>>().CreateDbContextAsync())
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ExecuteUpdateAsync(db.Cases.Where(c => c.Owner == "li.wei"),
                s => s.SetProperty(c => c.Status, Feedback.Activities.Cases.CaseStatus.Replied));
        ((string?)(await SubmitAsync())["owner"]).Should().Be("li.wei");
    }

    [Fact]
    public async Task The_person_complained_about_never_gets_the_case()
    {
        for (var i = 0; i < 4; i++)
            ((string?)(await SubmitAsync(complainedAbout: "li.wei"))["owner"]).Should().Be("zhang.hua");
    }

    [Fact]
    public async Task With_nobody_eligible_the_flow_takes_no_eligible_assignee()
    {
        var directory = (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!;
        foreach (var member in directory["staff"]!.AsArray().Where(m => (string?)m!["departmentId"] == "quality"))
            member!["active"] = false;
        (await _api.PutAsJsonAsync("/api/admin/directory", directory)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var feedback = await SubmitAsync(complainedAbout: "li.wei");

        feedback["owner"].Should().BeNull();
        var instance = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{feedback["workflowInstanceId"]}"))!;
        ((string?)instance["name"]).Should().Be("nobody");
        var line = feedback["history"]!.AsArray().Single(h => (string?)h!["action"] == "NoEligibleAssignee")!;
        ((string?)line["details"]).Should().Contain("no active Staff present who may take it").And.NotContain("li.wei", "history lines never name the person complained about");
    }

    [Fact]
    public async Task A_category_without_a_routing_rule_goes_to_the_chosen_persons_department()
    {
        var directory = (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!;
        var routing = directory["routing"]!.AsArray();
        routing.Remove(routing.Single(r => (string?)r!["category"] == "ProductQuality"));
        (await _api.PutAsJsonAsync("/api/admin/directory", directory)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var unrouted = await SubmitAsync();
        (unrouted["owner"], unrouted["leadDepartment"]).Should().Be((null, null));

        var chosen = new FlowBuilder()
            .Activity("assign", "Feedback.AssignResponsibility", Inputs(("category", Lit("ProductQuality")), ("assignTo", Lit("he.ping"))))
            .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("done"))))
            .Connect("assign", "wait", "Assigned")
            .Build("general-feedback", "Assign to a chosen person");
        (await _api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = chosen, ["publish"] = true })).EnsureSuccessStatusCode();
        var assigned = await SubmitAsync();
        ((string?)assigned["owner"], (string?)assigned["leadDepartment"]).Should().Be(("he.ping", "logistics"));
    }

    [Fact]
    public async Task An_inconsistent_directory_is_refused_with_every_problem_and_the_old_one_stays()
    {
        var before = (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!.ToJsonString();
        var broken = JsonNode.Parse(before)!.AsObject();
        broken["staff"]![0]!["departmentId"] = "nowhere";
        broken["routing"]![0]!["category"] = "Gossip";

        var response = await _api.PutAsJsonAsync("/api/admin/directory", broken);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("nowhere").And.Contain("Gossip");
        (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!.ToJsonString().Should().Be(before);
    }
}
