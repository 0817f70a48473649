using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tests.Fuzzing;

/// <summary>
/// A fuzzing pass over the intake API and the definition import, on PostgreSQL with the shipped processes: random,
/// truncated and hostile JSON, huge strings, wrong types. Every answer must be a 2xx or a 4xx with a message, never a
/// 5xx, and afterwards the database must hold only whole things: each case with its workflow and first history
/// line, each definition readable.
/// </summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    // Fixed, so CI is repeatable; set FEEDBACK_FUZZ_SEED to explore other inputs locally.
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("FEEDBACK_FUZZ_SEED"), out var seed) ? seed : 20261123;
    private const int RequestsPerEndpoint = 150;
    private static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "workflows");

    private PostgresDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new TestHost(_db.ConnectionString)
        {
            ShippedFolder = ShippedFolder,
            OrganizationSeedFile = Path.Combine(ShippedFolder, "directory", "example-organization.json"),
            SmtpPort = _smtp.Port,
        };
        _ = _host.Server; // start it: the shipped processes are published at start-up
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static JsonObject ValidComplaint() => new()
    {
        ["channel"] = "WebForm",
        ["customerName"] = "王女士",
        ["customerEmail"] = "wang@example.com",
        ["customerPhone"] = "+86 138 0000 0000",
        ["language"] = "zh-CN",
        ["title"] = "罐头胀罐",
        ["content"] = "买的午餐肉罐头胀罐了，打开有异味，要求退货。",
        ["product"] = new JsonObject { ["name"] = "午餐肉罐头 340g", ["batchOrSerial"] = "L20261101", ["deliveryDate"] = "2026-11-01", ["quantityAffected"] = 2, ["photos"] = new JsonArray("https://example.com/a.jpg") },
        ["requests"] = new JsonArray("Return", "Apology"),
    };

    private static JsonObject ValidDefinitionSave() => new()
    {
        ["model"] = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedFolder, "general-feedback.json")))!.AsObject() is var model
            ? Renamed(model) : null,
        ["publish"] = false,
    };

    private static JsonObject Renamed(JsonObject model)
    {
        // A new definition each time, so saves do not just add versions of the shipped one.
        model.Remove("id");
        model.Remove("definitionId");
        model["name"] = "Fuzzed copy";
        return model;
    }

    [Fact]
    public async Task Hostile_bodies_get_a_4xx_with_a_message_and_leave_nothing_half_written()
    {
        var mutator = new JsonMutator(Seed);
        var failures = new List<string>();
        var created = 0;
        var publicClient = _host.CreateClient();
        var api = _host.Api();

        for (var i = 0; i < RequestsPerEndpoint; i++)
        {
            var (body, what) = mutator.Mutate(ValidComplaint());
            var status = await SendAsync(publicClient, "/api/feedback", body, i, what, failures);
            if (status == HttpStatusCode.Created) created++;
        }
        for (var i = 0; i < RequestsPerEndpoint; i++)
        {
            var (body, what) = mutator.Mutate(new JsonObject { ["enteredBy"] = "desk.li", ["feedback"] = ValidComplaint() });
            var status = await SendAsync(api, "/api/feedback/staff-entry", body, i, what, failures);
            if (status == HttpStatusCode.Created) created++;
        }
        // Staff decisions on one of the cases: notes and praise marks, as the complaint desk.
        string number;
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            number = await db.Cases.OrderBy(c => c.Id).Select(c => c.Number).FirstAsync();
        var desk = _host.Api();
        desk.DefaultRequestHeaders.Add("X-Staff-User", "xu.ting");
        for (var i = 0; i < RequestsPerEndpoint / 2; i++)
        {
            var (body, what) = mutator.Mutate(new JsonObject { ["text"] = "The customer called back: the can was bought on 1 November." });
            await SendAsync(desk, $"/api/feedback/{number}/notes", body, i, what, failures);
        }
        for (var i = 0; i < RequestsPerEndpoint / 2; i++)
        {
            var (body, what) = mutator.Mutate(new JsonObject { ["praise"] = i % 2 == 0, ["reason"] = "A compliment for the driver." });
            await SendAsync(desk, $"/api/feedback/{number}/praise", body, i, what, failures);
        }
        for (var i = 0; i < RequestsPerEndpoint; i++)
        {
            var (body, what) = mutator.Mutate(ValidDefinitionSave());
            await SendAsync(api, "/elsa/api/workflow-definitions", body, i, what, failures);
        }
        for (var i = 0; i < RequestsPerEndpoint / 2; i++)
        {
            var (body, what) = mutator.Mutate(ValidDefinitionSave()["model"]!.AsObject());
            await SendAsync(api, "/elsa/api/workflow-definitions/import", body, i, what, failures);
        }

        failures.Should().BeEmpty($"no hostile input may cause a server error or an answer without a message (seed {Seed})");
        await AssertNothingHalfWrittenAsync(created);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string url, byte[] body, int index, string what, List<string> failures)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(url, content);
        var text = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        if (code >= 500)
            failures.Add($"{url} #{index} ({what}): {code} {Shorten(text)}");
        else if (code >= 400 && string.IsNullOrWhiteSpace(text))
            failures.Add($"{url} #{index} ({what}): {code} without a message");
        return response.StatusCode;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private async Task AssertNothingHalfWrittenAsync(int created)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        await using var cases = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        await using var workflows = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync();

        var stored = await cases.Cases.AsNoTracking().Select(c => new { c.Id, c.Number, c.WorkflowInstanceId }).ToListAsync();
        stored.Should().HaveCount(created, "every 201 is one whole case and nothing else was stored");
        created.Should().BeGreaterThan(0, "some mutations leave a valid complaint, so the happy path is exercised too");
        var instanceIds = stored.Select(c => c.WorkflowInstanceId).ToList();
        var instances = await workflows.Instances.AsNoTracking().Where(i => instanceIds.Contains(i.Id)).Select(i => new { i.Id, i.CorrelationId }).ToListAsync();
        instances.Should().HaveCount(stored.Count, "each case has its workflow instance");
        instances.Select(i => i.CorrelationId).Should().BeEquivalentTo(stored.Select(c => c.Number));
        var registered = await cases.History.AsNoTracking().Where(h => h.Action == "Registered").Select(h => h.CaseId).ToListAsync();
        registered.Should().BeEquivalentTo(stored.Select(c => c.Id), "each case has exactly one first history line");
        var notes = await cases.Notes.AsNoTracking().CountAsync();
        notes.Should().BeGreaterThan(0, "some note mutations stay valid");
        (await cases.History.AsNoTracking().CountAsync(h => h.Action == "NoteAdded")).Should().Be(notes, "each stored note has its history line");

        var definitionIds = await workflows.Definitions.AsNoTracking().Select(d => d.Id).ToListAsync();
        var api = _host.Api();
        foreach (var id in definitionIds)
        {
            var response = await api.GetAsync($"/elsa/api/workflow-definitions/by-id/{id}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"stored definition version {id} must be readable: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
