using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>
/// Praise that came in through a complaint channel, on PostgreSQL: recorded as praise through the API by the complaint
/// desk (and cleared while the case is open), with the reason in the history, counted apart in the report figures,
/// and announced to the case's workflow.
/// </summary>
public sealed class PraiseMarkTests : CaseFlagTestHost
{
    [Fact]
    public async Task The_complaint_desk_records_a_compliment_as_praise_the_flow_hears_of_it_and_the_figures_count_it_apart()
    {
        // The flow goes on only for praise: the event's payload says what the case now is.
        await Api.PublishAsync(new FlowBuilder()
            .Activity("flagged", "Elsa.Event", Inputs(("eventName", Lit(MaliciousFlags.EventName))))
            .Activity("isPraise", "Elsa.FlowDecision", Inputs(("condition", Js("getOutputFrom('flagged', 'Result').praise === true"))))
            .Activity("note", "Elsa.WriteLine", Inputs(("text", Lit("praise"))))
            .Connect("flagged", "isPraise").Connect("isPraise", "note", "True").Build("general-feedback", "General feedback"));
        var number = await SubmitAsync(content: "收银员小李特别耐心，帮我找了半天优惠券，谢谢！");
        var before = await FiguresAsync();

        var marked = await PraiseAsync(number, "desk", new JsonObject { ["praise"] = true, ["reason"] = "  A thank-you for the cashier, nothing to put right.  " });
        ((bool)marked["praise"]!, (bool)marked["changed"]!).Should().Be((true, true));
        var view = await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        ((bool)view["praise"]!).Should().BeTrue();
        var instance = await Api.WaitForAsync((string)view["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));
        ((string?)instance["subStatus"]).Should().Be("Finished", "the event carried praise: true to the flow");
        var figures = await FiguresAsync();
        ((long)figures["cases"]!, (long)figures["praise"]!).Should().Be(((long)before["cases"]! - 1, (long)before["praise"]! + 1));

        // The same mark again changes nothing; on a case still open the mark can be cleared, and it counts again.
        ((bool)(await PraiseAsync(number, "desk", new JsonObject { ["praise"] = true, ["reason"] = "Again." }))["changed"]!).Should().BeFalse();
        var cleared = await PraiseAsync(number, "po", new JsonObject { ["praise"] = false, ["reason"] = "The second half of the message is a complaint about the price." });
        ((bool)cleared["praise"]!, (bool)cleared["changed"]!).Should().Be((false, true));
        ((long)(await FiguresAsync())["praise"]!).Should().Be((long)before["praise"]!);

        (await HistoryAsync(number)).Should().ContainInOrder(
            "RecordedAsPraise by desk: A thank-you for the cashier, nothing to put right.",
            "PraiseCleared by po: The second half of the message is a complaint about the price.");
    }

    [Fact]
    public async Task Only_the_complaint_desk_process_owners_and_management_record_praise_and_always_with_a_reason()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var body = new JsonObject { ["praise"] = true, ["reason"] = "A compliment." };

        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/praise", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/praise", null, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an integration cannot judge feedback");
        (await Api.SendAsStaffAsync(HttpMethod.Post, "/api/feedback/FB-2026-999999/praise", "desk", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var bad in new[]
                 {
                     new JsonObject { ["praise"] = true }, new JsonObject { ["praise"] = true, ["reason"] = " " },
                     new JsonObject { ["reason"] = "A compliment." }, new JsonObject { ["praise"] = "yes", ["reason"] = "A compliment." },
                     new JsonObject { ["praise"] = true, ["reason"] = new string('x', MaliciousFlags.MaxReasonLength + 1) },
                 })
        {
            var response = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/praise", "desk", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            (await response.Content.ReadAsStringAsync()).Should().Contain("errors");
        }

        ((bool)(await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk"))["praise"]!).Should().BeFalse("nothing was stored by the refused calls");
        (await QueuedEventsAsync()).Should().Be(0);
    }

    [Fact]
    public async Task The_mark_of_a_case_closed_as_praise_stays_but_praise_on_a_case_closed_before_can_be_cleared()
    {
        await Api.PublishAsync(new FlowBuilder()
            .Activity("record", "Feedback.RecordPraise", Inputs(("note", Lit("A five-star review."))))
            .Build("general-feedback", "General feedback"));
        var praised = await SubmitAsync();
        ((string?)(await Api.GetAsStaffAsync($"/api/feedback/{praised}", "desk"))["status"]).Should().Be("Closed");
        var refused = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{praised}/praise", "po", new JsonObject { ["praise"] = false, ["reason"] = "Mistake." });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("closed as praise");
        ((bool)(await Api.GetAsStaffAsync($"/api/feedback/{praised}", "desk"))["praise"]!).Should().BeTrue();

        // Closed for another reason first, then judged praise: the mark was not why it closed, so it can go again.
        await Api.PublishAsync(new FlowBuilder()
            .Activity("close", "Feedback.CloseCase", Inputs(("reason", Lit("The customer withdrew it."))))
            .Build("general-feedback", "General feedback"));
        var withdrawn = await SubmitAsync();
        await PraiseAsync(withdrawn, "desk", new JsonObject { ["praise"] = true, ["reason"] = "It was a compliment." });
        ((bool)(await PraiseAsync(withdrawn, "po", new JsonObject { ["praise"] = false, ["reason"] = "It was not." }))["changed"]!).Should().BeTrue();
    }

    private Task<JsonObject> PraiseAsync(string number, string user, JsonObject body) => PostFlagAsync(number, "praise", user, body);
}
