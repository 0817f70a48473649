using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Intake.Mail;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Surveys;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tests.Processes;

/// <summary>
/// The shipped general-feedback process on PostgreSQL with the example organisation and a real SMTP sink: the host,
/// and the calls its tests share (submit, read the case, open and complete tasks, answer the survey).
/// </summary>
public abstract class GeneralFeedbackHarness : IAsyncLifetime
{
    protected PostgresDatabase _db = null!;
    protected SmtpSink _smtp = null!;
    protected TestHost _host = null!;
    protected HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        _host = new TestHost(_db.ConnectionString)
        {
            ShippedFolder = shipped,
            OrganizationSeedFile = Path.Combine(shipped, "directory", "example-organization.json"),
            SmtpPort = _smtp.Port,
        };
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    protected async Task<string> SubmitAsync(JsonObject body)
    {
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    protected async Task<JsonObject> CaseAsync(string number) => (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;

    protected async Task<JsonObject> OpenTaskAsync(string number)
    {
        var list = (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray();
        return list.Should().ContainSingle("exactly one step waits at a time").Subject!.AsObject();
    }

    protected async Task CompleteAsync(JsonObject task, string user, string action, JsonObject? values = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{task["id"]}/complete")
        {
            Content = JsonContent.Create(new JsonObject { ["action"] = action, ["values"] = values ?? new JsonObject() }),
        };
        request.Headers.Add("X-Staff-User", user);
        request.Headers.Add("Idempotency-Key", $"{task["id"]}-{action}");
        var response = await _api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    protected async Task AnswerSurveyAsync(string number, int rating)
    {
        var instance = await _api.InstanceAsync((string)(await CaseAsync(number))["workflowInstanceId"]!);
        var bookmark = instance["workflowState"]!["bookmarks"]!.AsArray().Single(b => (string?)b!["name"] == CustomerSurvey.Stimulus)!;
        await _host.Services.GetRequiredService<SurveyService>().AnswerAsync((string)bookmark["id"]!, rating, null, CancellationToken.None);
    }

    protected async Task<JsonObject> ClockAsync(string number, string name) =>
        (await _api.GetFromJsonAsync<JsonArray>($"/api/feedback/{number}/sla"))!.Single(c => (string?)c!["name"] == name)!.AsObject();

    protected async Task<List<JsonObject>> AnswerTasksAsync(string number) =>
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}"))!["items"]!.AsArray()
            .Select(t => t!.AsObject()).Where(t => (string?)t["title"] == "Answer the customer's new message").ToList();

    protected async Task<HttpStatusCode> ActAsync(string path, string user, JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Staff-User", user);
        return (await _api.SendAsync(request)).StatusCode;
    }
}
