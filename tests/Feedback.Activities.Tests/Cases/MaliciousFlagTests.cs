using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>
/// Malicious or false feedback on PostgreSQL: flagged through the API by the complaint desk (and cleared), with the
/// reason in the history, left out of the report figures, and announced to the case's workflow; or flagged by a flow.
/// </summary>
public sealed class MaliciousFlagTests : CaseFlagTestHost
{
    [Fact]
    public async Task The_complaint_desk_flags_a_review_the_flow_hears_of_it_and_the_figures_leave_it_out()
    {
        // The process waits for the flag: a flow can withdraw the rectification of a fake review.
        await Api.PublishAsync(new FlowBuilder()
            .Activity("flagged", "Elsa.Event", Inputs(("eventName", Lit(MaliciousFlags.EventName))))
            .Activity("note", "Elsa.WriteLine", Inputs(("text", Lit("withdrawn"))))
            .Connect("flagged", "note").Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var figuresBefore = await FiguresAsync();

        var flagged = await FlagAsync(number, "desk", new JsonObject { ["malicious"] = true, ["reason"] = "  Posted by a competitor: no such order.  " });
        ((bool)flagged["malicious"]!, (string?)flagged["maliciousReason"], (bool)flagged["changed"]!).Should().Be((true, "Posted by a competitor: no such order.", true));

        var view = await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        ((string?)view["maliciousReason"]).Should().Be("Posted by a competitor: no such order.");
        var instance = await Api.WaitForAsync((string)view["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));
        ((string?)instance["subStatus"]).Should().Be("Finished", "the flow waiting for the flag received it through the outbox");
        var figures = await FiguresAsync();
        ((long)figures["cases"]!, (long)figures["malicious"]!).Should().Be(((long)figuresBefore["cases"]! - 1, 1L));

        // The same flag again changes nothing; clearing it is a line of its own, and the case counts again.
        var again = await FlagAsync(number, "desk", new JsonObject { ["malicious"] = true, ["reason"] = "Posted by a competitor: no such order." });
        ((bool)again["changed"]!).Should().BeFalse();
        var cleared = await FlagAsync(number, "po", new JsonObject { ["malicious"] = false, ["reason"] = "The order was found after all." });
        ((bool)cleared["malicious"]!, (string?)cleared["maliciousReason"]).Should().Be((false, null));
        ((long)(await FiguresAsync())["malicious"]!).Should().Be(0);

        var history = await HistoryAsync(number);
        history.Should().ContainInOrder(
            "FlaggedMalicious by desk: Posted by a competitor: no such order.",
            "MaliciousFlagCleared by po: The order was found after all.");
        history.Count(h => h.StartsWith("FlaggedMalicious")).Should().Be(1);
    }

    [Fact]
    public async Task Only_the_complaint_desk_process_owners_and_management_flag_and_always_with_a_reason()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var body = new JsonObject { ["malicious"] = true, ["reason"] = "Fake." };

        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", null, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an integration cannot judge feedback");
        (await Api.SendAsStaffAsync(HttpMethod.Post, "/api/feedback/FB-2026-999999/malicious", "desk", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var bad in new[]
                 {
                     new JsonObject { ["malicious"] = true }, new JsonObject { ["malicious"] = true, ["reason"] = "  " },
                     new JsonObject { ["reason"] = "Fake." }, new JsonObject { ["malicious"] = "yes", ["reason"] = "Fake." },
                     new JsonObject { ["malicious"] = true, ["reason"] = new string('x', MaliciousFlags.MaxReasonLength + 1) },
                 })
        {
            var response = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "desk", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            (await response.Content.ReadAsStringAsync()).Should().Contain("errors");
        }

        ((string?)(await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk"))["maliciousReason"]).Should().BeNull("nothing was stored by the refused calls");
        (await QueuedEventsAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_flow_flags_the_case_in_its_own_commit()
    {
        await Api.PublishAsync(new FlowBuilder()
            .Activity("flag", "Feedback.FlagMalicious", Inputs(("reason", Lit("Review text copied from another shop.")), ("by", Lit("desk"))))
            .Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();

        var view = await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        ((string?)view["maliciousReason"]).Should().Be("Review text copied from another shop.");
        view["history"]!.AsArray().Select(h => $"{(string?)h!["action"]} by {(string?)h["actor"]}")
            .Should().Contain("FlaggedMalicious by desk");
    }

    private Task<JsonObject> FlagAsync(string number, string user, JsonObject body) => PostFlagAsync(number, "malicious", user, body);
}
