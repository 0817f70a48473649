using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>
/// A host on a fresh PostgreSQL database with three members (hana, a quality department head; desk, the complaint
/// desk; po, a process owner) and the calls the case-flag tests make: submit, figures, audit trail.
/// </summary>
public abstract class CaseFlagTestHost : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    /// <summary>Taken before the test's first case arrives: the figures cover every day since.</summary>
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    protected TestHost Host { get; private set; } = null!;

    /// <summary>A client with the API key; <c>SendAsStaffAsync</c> adds who acts.</summary>
    protected HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        Host = new TestHost(_db.ConnectionString);
        Api = Host.Api();
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        db.Staff.AddRange(Member("hana", "quality", StaffRole.DepartmentHead), Member("desk", "desk", StaffRole.ComplaintDesk),
            Member("po", "desk", StaffRole.ProcessOwner));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The same customer's complaint through the public intake; returns the case number.</summary>
    protected async Task<string> SubmitAsync(string channel = "WebForm", string content = "网上说你们的罐头有问题。")
    {
        var response = await Host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = channel, ["customerName"] = "王女士", ["customerPhone"] = "+86 138 0000 0000", ["language"] = "zh-CN",
            ["content"] = content,
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    /// <summary>The report total over the days of the test's cases, as a process owner reads it.</summary>
    protected async Task<JsonObject> FiguresAsync() =>
        (await Api.GetAsStaffAsync($"/api/reports/figures?period={ReportPeriods.Since(_start)}", "po"))["total"]!.AsObject();

    /// <summary>The case's audit trail as "Action by actor: details" lines.</summary>
    protected async Task<List<string>> HistoryAsync(string number) =>
        (await Api.GetAsStaffAsync($"/api/feedback/{number}/audit", "po"))["entries"]!.AsArray()
            .Select(e => $"{(string?)e!["action"]} by {(string?)e["actor"]}: {(string?)e["details"]}").ToList();

    /// <summary>Posts <paramref name="body"/> to the case's <paramref name="flag"/> endpoint as <paramref name="user"/>; expects 200.</summary>
    protected async Task<JsonObject> PostFlagAsync(string number, string flag, string user, JsonObject body)
    {
        var response = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/{flag}", user, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>How many events the outbox holds: a refused call queues none.</summary>
    protected async Task<int> QueuedEventsAsync()
    {
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync();
        return await db.Outbox.CountAsync(o => o.Type == Feedback.Workflows.Activities.Events.PublishEvent.OutboxType);
    }
}
