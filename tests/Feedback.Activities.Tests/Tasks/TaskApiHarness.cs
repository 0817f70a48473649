using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Tests.Tasks.StaffTaskActivityTests;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>
/// A host on a fresh PostgreSQL database with a small staff (alice and carol: quality staff; bob: quality head;
/// dave: logistics staff) and the calls the task tests make.
/// </summary>
public abstract class TaskApiHarness : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    /// <summary>A client with the API key.</summary>
    protected HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        Api = _host.Api();
        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        db.Staff.AddRange(
            new StaffMember { UserName = "alice", DisplayName = "Alice", DepartmentId = "quality", Roles = [StaffRole.Staff] },
            new StaffMember { UserName = "carol", DisplayName = "Carol", DepartmentId = "quality", Roles = [StaffRole.Staff] },
            new StaffMember { UserName = "bob", DisplayName = "Bob", DepartmentId = "quality", Roles = [StaffRole.DepartmentHead] },
            new StaffMember { UserName = "dave", DisplayName = "Dave", DepartmentId = "logistics", Roles = [StaffRole.Staff] });
        await db.SaveChangesAsync();
    }

    /// <summary>The test database, for a test that holds a lock in it.</summary>
    protected string ConnectionString => _db.ConnectionString;

    /// <summary>A client without the API key.</summary>
    protected HttpClient Anonymous() => _host.CreateClient();

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>
    /// The process under test: alice submits a plan (measures required, deadline a date); a department head approves it
    /// or rejects it back to her.
    /// </summary>
    protected async Task PublishPlanAndReviewAsync()
    {
        var definition = new FlowBuilder()
            .Variable("measures", "String").Variable("deadline", "String")
            .Activity("start", "Elsa.Start")
            .Activity("plan", "Feedback.StaffTask", Inputs(("title", Lit("Submit plan")), ("assignee", Lit("alice")), ("department", Lit("quality")),
                ("fields", Fields(Field("measures", required: true), Field("deadline", "date"))), ("actions", Actions("Submit"))))
            .Activity("review", "Feedback.StaffTask", Inputs(("title", Lit("Review")), ("role", Lit("DepartmentHead")), ("actions", Actions("Approve", "Reject"))))
            .Activity("end", "Elsa.End")
            .Connect("start", "plan").Connect("plan", "review", "Submit").Connect("review", "end", "Approve").Connect("review", "plan", "Reject")
            .Build("general-feedback", "General feedback");
        await Api.PublishAsync(definition);
    }

    /// <summary>Registers a web-form complaint; returns its number and workflow instance id.</summary>
    protected async Task<(string Number, string InstanceId)> RegisterCaseAsync()
    {
        var response = await Api.PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerPhone"] = "+86 138 0000 0000", ["language"] = "zh-CN",
            ["content"] = "买的午餐肉罐头胀罐了，打开有异味，要求退货。", ["requests"] = new JsonArray("Return"),
        });
        await ExpectAsync(response, HttpStatusCode.Created);
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        return (number, (string)(await CaseAsync(number))["workflowInstanceId"]!);
    }

    protected Task<JsonObject> CaseAsync(string number) => Api.GetJsonAsync($"/api/feedback/{number}");

    /// <summary>The case's history as "Action by Actor" lines.</summary>
    protected async Task<List<string>> HistoryAsync(string number) =>
        (await CaseAsync(number))["history"]!.AsArray().Select(h => $"{(string?)h!["action"]} by {(string?)h["actor"]}").ToList();

    protected async Task<JsonArray> TasksAsync(string query) => (await Api.GetJsonAsync($"/api/tasks?{query}"))["items"]!.AsArray();

    /// <summary>The one open task of a case.</summary>
    protected async Task<JsonObject> OpenTaskAsync(string caseNumber) =>
        (await TasksAsync($"caseNumber={caseNumber}&status=open,claimed")).Should().ContainSingle().Subject!.AsObject();

    protected Task<HttpResponseMessage> CompleteAsync(string taskId, string user, string? action, JsonObject? values, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{taskId}/complete")
        {
            Content = JsonContent.Create(new JsonObject { ["action"] = action, ["values"] = values }),
        };
        request.Headers.Add("X-Staff-User", user);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return Api.SendAsync(request);
    }

    protected Task<HttpResponseMessage> PostAsync(string url, string? user, JsonObject? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (user is not null) request.Headers.Add("X-Staff-User", user);
        return Api.SendAsync(request);
    }

    /// <summary>Asserts the status (showing the body when it differs) and returns the body.</summary>
    protected static async Task<string> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        return text;
    }

    /// <summary>How many bookmarks of the instance were resumed, from its journal.</summary>
    protected async Task<int> ResumedCountAsync(string instanceId) =>
        (await Api.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}/journal?take=1000"))["items"]!.AsArray()
            .Count(j => (string?)j!["eventName"] == "Resumed");
}
