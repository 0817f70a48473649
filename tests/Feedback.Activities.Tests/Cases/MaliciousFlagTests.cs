using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>
/// Malicious or false feedback on PostgreSQL: flagged through the API by the complaint desk (and cleared), with the
/// reason in the history, left out of the report figures, and announced to the case's workflow; or flagged by a flow.
/// </summary>
public sealed class MaliciousFlagTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _api = _host.Api();
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        db.Staff.AddRange(Member("hana", "quality", StaffRole.DepartmentHead), Member("desk", "desk", StaffRole.ComplaintDesk),
            Member("po", "desk", StaffRole.ProcessOwner));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_complaint_desk_flags_a_review_the_flow_hears_of_it_and_the_figures_leave_it_out()
    {
        // The process waits for the flag: a flow can withdraw the rectification of a fake review.
        await _api.PublishAsync(new FlowBuilder()
            .Activity("flagged", "Elsa.Event", Inputs(("eventName", Lit(MaliciousFlags.EventName))))
            .Activity("note", "Elsa.WriteLine", Inputs(("text", Lit("withdrawn"))))
            .Connect("flagged", "note").Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var figuresBefore = await FiguresAsync();

        var flagged = await FlagAsync(number, "desk", new JsonObject { ["malicious"] = true, ["reason"] = "  Posted by a competitor: no such order.  " });
        ((bool)flagged["malicious"]!, (string?)flagged["maliciousReason"], (bool)flagged["changed"]!).Should().Be((true, "Posted by a competitor: no such order.", true));

        var view = await _api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        ((string?)view["maliciousReason"]).Should().Be("Posted by a competitor: no such order.");
        var instance = await _api.WaitForAsync((string)view["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));
        ((string?)instance["subStatus"]).Should().Be("Finished", "the flow waiting for the flag received it through the outbox");
        var figures = await FiguresAsync();
        ((long)figures["cases"]!, (long)figures["malicious"]!).Should().Be(((long)figuresBefore["cases"]! - 1, 1L));

        // The same flag again changes nothing; clearing it is a line of its own, and the case counts again.
        var again = await FlagAsync(number, "desk", new JsonObject { ["malicious"] = true, ["reason"] = "Posted by a competitor: no such order." });
        ((bool)again["changed"]!).Should().BeFalse();
        var cleared = await FlagAsync(number, "po", new JsonObject { ["malicious"] = false, ["reason"] = "The order was found after all." });
        ((bool)cleared["malicious"]!, (string?)cleared["maliciousReason"]).Should().Be((false, null));
        ((long)(await FiguresAsync())["malicious"]!).Should().Be(0);

        var history = (await _api.GetAsStaffAsync($"/api/feedback/{number}/audit", "po"))["entries"]!.AsArray()
            .Select(e => $"{(string?)e!["action"]} by {(string?)e["actor"]}: {(string?)e["details"]}").ToList();
        history.Should().ContainInOrder(
            "FlaggedMalicious by desk: Posted by a competitor: no such order.",
            "MaliciousFlagCleared by po: The order was found after all.");
        history.Count(h => h.StartsWith("FlaggedMalicious")).Should().Be(1);
    }

    [Fact]
    public async Task Only_the_complaint_desk_process_owners_and_management_flag_and_always_with_a_reason()
    {
        await _api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var body = new JsonObject { ["malicious"] = true, ["reason"] = "Fake." };

        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", null, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an integration cannot judge feedback");
        (await _api.SendAsStaffAsync(HttpMethod.Post, "/api/feedback/FB-2026-999999/malicious", "desk", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var bad in new[]
                 {
                     new JsonObject { ["malicious"] = true }, new JsonObject { ["malicious"] = true, ["reason"] = "  " },
                     new JsonObject { ["reason"] = "Fake." }, new JsonObject { ["malicious"] = "yes", ["reason"] = "Fake." },
                     new JsonObject { ["malicious"] = true, ["reason"] = new string('x', MaliciousFlags.MaxReasonLength + 1) },
                 })
        {
            var response = await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "desk", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            (await response.Content.ReadAsStringAsync()).Should().Contain("errors");
        }

        ((string?)(await _api.GetAsStaffAsync($"/api/feedback/{number}", "desk"))["maliciousReason"]).Should().BeNull("nothing was stored by the refused calls");
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<WorkflowDbContext>>().CreateDbContextAsync();
        (await db.Outbox.CountAsync(o => o.Type == Feedback.Workflows.Activities.Events.PublishEvent.OutboxType)).Should().Be(0);
    }

    [Fact]
    public async Task A_flow_flags_the_case_in_its_own_commit()
    {
        await _api.PublishAsync(new FlowBuilder()
            .Activity("flag", "Feedback.FlagMalicious", Inputs(("reason", Lit("Review text copied from another shop.")), ("by", Lit("desk"))))
            .Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();

        var view = await _api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        ((string?)view["maliciousReason"]).Should().Be("Review text copied from another shop.");
        view["history"]!.AsArray().Select(h => $"{(string?)h!["action"]} by {(string?)h["actor"]}")
            .Should().Contain("FlaggedMalicious by desk");
    }

    private async Task<string> SubmitAsync()
    {
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerPhone"] = "+86 138 0000 0000", ["language"] = "zh-CN",
            ["content"] = "网上说你们的罐头有问题。",
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    private async Task<JsonObject> FiguresAsync() =>
        (await _api.GetAsStaffAsync($"/api/reports/figures?period={DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)):yyyy-MM}", "po"))["total"]!.AsObject();

    private async Task<JsonObject> FlagAsync(string number, string user, JsonObject body)
    {
        var response = await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", user, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
