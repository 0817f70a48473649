using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Surveys;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Feedback.Activities.Tests.Verification;

/// <summary>
/// A host on a fresh PostgreSQL database with the shipped definitions, the example organisation and a real SMTP
/// server, whose intake starts <paramref name="definitionId"/>; and the calls a process test makes as staff.
/// </summary>
/// <param name="start">The host's time at the start; <see cref="ManualTime.DefaultStart"/> when null.</param>
public abstract class RectificationProcessHarness(string definitionId, DateTimeOffset? start = null) : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private TestHost _host = null!;
    private WebApplicationFactory<Program> _factory = null!;

    /// <summary>The host's time: a test moves it, and the timers that fall due fire on the way.</summary>
    protected ManualTime Time { get; } = new(start);

    /// <summary>The SMTP server the host mails to.</summary>
    protected SmtpSink Smtp => _smtp;

    /// <summary>A client with the API key.</summary>
    protected HttpClient Api { get; private set; } = null!;

    protected static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "workflows");

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new TestHost(_db.ConnectionString)
        {
            ShippedFolder = ShippedFolder,
            OrganizationSeedFile = Path.Combine(ShippedFolder, "directory", "example-organization.json"),
            SmtpPort = _smtp.Port,
            Time = Time,
        };
        _factory = _host.WithWebHostBuilder(b => b.UseSetting("Feedback:WorkflowDefinitionId", definitionId));
        Api = _factory.CreateClient();
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", TestHost.ApiKey);
        var published = await Api.GetAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published");
        if (published.StatusCode != HttpStatusCode.OK)
        {
            // The loader only logs an invalid file; saving it again shows why.
            var check = await Api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = ShippedDefinition(), ["publish"] = false });
            throw new InvalidOperationException($"The shipped {definitionId}.json was not published at start-up: {await check.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync(); // also disposes the factory derived from it
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The shipped definition as a process owner would start editing it.</summary>
    protected JsonObject ShippedDefinition() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedFolder, definitionId + ".json")))!.AsObject();

    /// <summary>One activity of a definition, by id.</summary>
    protected static JsonObject ActivityOf(JsonObject definition, string id) =>
        definition["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == id)!.AsObject();

    /// <summary>Submits feedback through the public intake; returns the case number.</summary>
    protected async Task<string> SubmitAsync(JsonObject body)
    {
        var response = await _factory.CreateClient().PostAsJsonAsync("/api/feedback", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    protected async Task<JsonObject> CaseAsync(string number) => (await Api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;

    protected async Task<JsonObject> InstanceAsync(string number) => await Api.InstanceAsync((string)(await CaseAsync(number))["workflowInstanceId"]!);

    /// <summary>The open tasks of the case, oldest first.</summary>
    protected async Task<List<JsonObject>> OpenTasksAsync(string number) =>
        (await Api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray()
        .Select(t => t!.AsObject()).Reverse().ToList();

    /// <summary>The one open task of the case; its title must contain <paramref name="title"/>.</summary>
    protected async Task<JsonObject> OpenTaskAsync(string number, string title)
    {
        var open = await OpenTasksAsync(number);
        var task = open.Should().ContainSingle($"one step waits at a time ({await TrailAsync(number)})").Subject;
        ((string?)task["title"]).Should().Contain(title, await TrailAsync(number));
        return task;
    }

    /// <summary>Waits until a task whose title contains <paramref name="title"/> is open (timers open tasks later).</summary>
    protected async Task<JsonObject> WaitForTaskAsync(string number, string title, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if ((await OpenTasksAsync(number)).FirstOrDefault(t => ((string?)t["title"])!.Contains(title)) is { } task) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"No open task '{title}' after {timeout}: {await TrailAsync(number)}");
            await Task.Delay(200);
        }
    }

    /// <summary>Completes a task as <paramref name="user"/> through the task API.</summary>
    protected async Task CompleteAsync(JsonObject task, string user, string action, JsonObject? values = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{task["id"]}/complete")
        {
            Content = JsonContent.Create(new JsonObject { ["action"] = action, ["values"] = values ?? new JsonObject() }),
        };
        request.Headers.Add("X-Staff-User", user);
        request.Headers.Add("Idempotency-Key", $"{task["id"]}-{action}");
        var response = await Api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The customer's answer on the callback task.</summary>
    protected Task AnswerCallbackAsync(JsonObject task, string user, int rating, string comment) =>
        CompleteAsync(task, user, "Record", new JsonObject { ["Rating"] = rating.ToString(), ["CustomerComment"] = comment });

    /// <summary>
    /// The customer answers the case's open satisfaction survey, as the survey page does (through
    /// <see cref="SurveyService"/>, with the bookmark the mailed link names).
    /// </summary>
    /// <exception cref="SurveyClosedException">The survey no longer takes an answer.</exception>
    protected async Task AnswerSurveyAsync(string number, int rating, string? comment)
    {
        var bookmark = (await InstanceAsync(number))["workflowState"]!["bookmarks"]!.AsArray()
            .SingleOrDefault(b => (string?)b!["name"] == CustomerSurvey.Stimulus);
        var id = bookmark is null ? $"no-survey-waits-on-{number}" : (string)bookmark["id"]!;
        await _factory.Services.GetRequiredService<SurveyService>().AnswerAsync(id, rating, comment, CancellationToken.None);
    }

    /// <summary>Sets the case's escalation level as deadline escalations would have raised it.</summary>
    protected async Task SetEscalationLevelAsync(string number, int level)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("UPDATE feedback_cases SET escalation_level = @level WHERE number = @number", connection);
        command.Parameters.AddWithValue("level", level);
        command.Parameters.AddWithValue("number", number);
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }

    /// <summary>Marks the case's workflow instance Faulted, as an activity's failure would leave it.</summary>
    protected async Task FaultInstanceAsync(string number)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            UPDATE workflow_instances SET sub_status = 'Faulted',
                state = regexp_replace(state, '"subStatus"\s*:\s*"[A-Za-z]+"', '"subStatus":"Faulted"')
            WHERE id = (SELECT workflow_instance_id FROM feedback_cases WHERE number = @number)
            """, connection);
        command.Parameters.AddWithValue("number", number);
        (await command.ExecuteNonQueryAsync()).Should().Be(1);
    }

    /// <summary>When the reports count the case resolved (<c>resolved_at</c>); null while it is not.</summary>
    protected async Task<DateTimeOffset?> ResolvedAtAsync(string number)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT resolved_at FROM feedback_cases WHERE number = @number", connection);
        command.Parameters.AddWithValue("number", number);
        return await command.ExecuteScalarAsync() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <summary>Asserts the instance finished, showing its incidents otherwise.</summary>
    protected async Task ShouldHaveFinishedAsync(string number)
    {
        var instance = await InstanceAsync(number);
        ((string?)instance["subStatus"]).Should().Be("Finished", instance["workflowState"]!["incidents"]!.ToJsonString() + " " + await TrailAsync(number));
    }

    /// <summary>Waits for at least <paramref name="count"/> mails, leaving out staff-task mail and staff notices (alerts, helper notices).</summary>
    protected Task<IReadOnlyList<MimeMessage>> MailsAsync(int count) => _smtp.WaitForAsync(count, TimeSpan.FromSeconds(15), SmtpSink.NotTaskMailOrNotice);

    /// <summary>Waits for the first mail to <paramref name="address"/> that is neither staff-task mail nor a staff notice.</summary>
    protected async Task<MimeMessage> FirstMailToAsync(string address) =>
        (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => SmtpSink.NotTaskMailOrNotice(m) && m.To.Mailboxes.Any(b => b.Address == address))).First();

    /// <summary>The mail sent to <paramref name="address"/> so far, leaving out staff-task mail and staff notices (alerts, helper notices).</summary>
    protected IReadOnlyList<MimeMessage> MailsTo(string address) =>
        _smtp.Messages(SmtpSink.NotTaskMailOrNotice).Where(m => m.To.Mailboxes.Any(b => b.Address == address)).ToList();

    /// <summary>The case's history actions, in order.</summary>
    protected static IEnumerable<string?> Actions(JsonObject feedback) => feedback["history"]!.AsArray().Select(h => (string?)h!["action"]);

    /// <summary>The last journal lines, to explain a failed assertion.</summary>
    protected async Task<string> TrailAsync(string number)
    {
        var id = (string)(await CaseAsync(number))["workflowInstanceId"]!;
        var journal = (await Api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{id}/journal?take=500"))!["items"]!.AsArray();
        return string.Join(" | ", journal.Select(j => $"{j!["activityId"]}:{j["eventName"]}:{j["message"]}").TakeLast(15));
    }
}
