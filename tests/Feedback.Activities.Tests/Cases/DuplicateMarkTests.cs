using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>
/// Duplicates on PostgreSQL: the complaint desk marks the same customer's same matter, sent twice, a duplicate of the
/// first case (and clears the mark); both histories say so, the duplicate's workflow hears of it, and the report counts
/// the matter once and not as a repeat complaint.
/// </summary>
public sealed class DuplicateMarkTests : CaseFlagTestHost
{
    private const string Dented = "昨天买的午餐肉罐头有三罐是瘪的。";

    [Fact]
    public async Task The_desk_marks_the_second_channels_case_a_duplicate_and_the_matter_counts_once_and_not_as_a_repeat()
    {
        await Api.PublishAsync(new FlowBuilder()
            .Activity("flagged", "Elsa.Event", Inputs(("eventName", Lit(MaliciousFlags.EventName))))
            .Activity("duplicate", "Elsa.FlowDecision", Inputs(("condition", Js("!!getOutputFrom('flagged', 'Result').duplicateOf"))))
            .Activity("end", "Elsa.End")
            .Connect("flagged", "duplicate").Connect("duplicate", "end", "True").Build("general-feedback", "General feedback"));
        var first = await SubmitAsync("WebForm", Dented);
        var second = await SubmitAsync("Email", Dented);
        var before = await FiguresAsync();
        ((long)before["cases"]!, (long)before["repeats"]!).Should().Be((2L, 1L), "the same customer's second case is a repeat until it is known to be the same matter");

        var marked = await MarkAsync(second, "desk", new JsonObject { ["of"] = first, ["reason"] = " The customer phoned about the web form's dented cans. " });
        ((string?)marked["duplicateOf"], (bool)marked["changed"]!).Should().Be((first, true));

        var view = await Api.GetAsStaffAsync($"/api/feedback/{second}", "desk");
        ((string?)view["duplicateOf"]).Should().Be(first);
        ((string?)(await Api.WaitForAsync((string)view["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20)))["subStatus"])
            .Should().Be("Finished", "the duplicate's flow heard of the mark through the outbox");
        var after = await FiguresAsync();
        ((long)after["cases"]!, (long)after["duplicates"]!, (long)after["repeats"]!).Should().Be((1L, 1L, 0L));
        (await HistoryAsync(first)).Should().Contain($"DuplicateLinked by desk: {second} is a duplicate of this case: The customer phoned about the web form's dented cans.");

        (await MarkAsync(second, "desk", new JsonObject { ["of"] = first, ["reason"] = "Again." }))["changed"]!.GetValue<bool>().Should().BeFalse();
        var cleared = await MarkAsync(second, "po", new JsonObject { ["of"] = null, ["reason"] = "Two different batches after all." });
        ((string?)cleared["duplicateOf"]).Should().BeNull();
        var restored = await FiguresAsync();
        ((long)restored["cases"]!, (long)restored["duplicates"]!, (long)restored["repeats"]!).Should().Be((2L, 0L, 1L));
        (await HistoryAsync(second)).Should().ContainInOrder(
            $"MarkedDuplicate by desk: A duplicate of {first}: The customer phoned about the web form's dented cans.",
            $"DuplicateMarkCleared by po: No longer a duplicate of {first}: Two different batches after all.");
        (await HistoryAsync(first)).Should().Contain($"DuplicateUnlinked by po: {second} is no longer a duplicate of this case: Two different batches after all.");
    }

    [Fact]
    public async Task A_mark_whose_flow_withdrew_the_case_stays_so_the_unhandled_case_never_counts_as_handled()
    {
        await Api.PublishAsync(new FlowBuilder()
            .Activity("flagged", "Elsa.Event", Inputs(("eventName", Lit(MaliciousFlags.EventName))))
            .Activity("withdraw", "Feedback.CloseCase", Inputs(("reason", Lit("Withdrawn: a duplicate."))))
            .Connect("flagged", "withdraw").Build("general-feedback", "General feedback"));
        var first = await SubmitAsync("WebForm", Dented);
        var second = await SubmitAsync("Email", Dented);
        await MarkAsync(second, "desk", new JsonObject { ["of"] = first, ["reason"] = "Same cans." });
        for (var i = 0; i < 100 && (string?)(await Api.GetAsStaffAsync($"/api/feedback/{second}", "desk"))["status"] != "Closed"; i++) await Task.Delay(200);

        var clear = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{second}/duplicate", "desk", new JsonObject { ["of"] = null, ["reason"] = "Not the same after all." });

        clear.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await clear.Content.ReadAsStringAsync()).Should().Contain($"{second} was withdrawn (closed without a reply) while it was marked a duplicate");
        ((string?)(await Api.GetAsStaffAsync($"/api/feedback/{second}", "desk"))["duplicateOf"]).Should().Be(first);
        ((long)(await FiguresAsync())["cases"]!).Should().Be(1, "the withdrawn case stays out of the figures");
    }

    [Fact]
    public async Task A_mark_needs_the_right_role_a_reason_and_an_original_that_is_no_duplicate_itself()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var (a, b, c) = (await SubmitAsync("WebForm", Dented), await SubmitAsync("Email", Dented), await SubmitAsync("WebForm", Dented));
        var body = new JsonObject { ["of"] = a, ["reason"] = "Same dented cans." };

        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{b}/duplicate", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{b}/duplicate", null, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "an integration cannot mark duplicates");
        (await Api.SendAsStaffAsync(HttpMethod.Post, "/api/feedback/FB-2026-999999/duplicate", "desk", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var (bad, message) in new[]
                 {
                     (new JsonObject { ["of"] = a }, "reason:"),
                     (new JsonObject { ["of"] = a, ["reason"] = " " }, "reason:"),
                     (new JsonObject { ["of"] = b, ["reason"] = "Same." }, "itself"),
                     (new JsonObject { ["of"] = "FB-2026-999999", ["reason"] = "Same." }, "there is no case FB-2026-999999"),
                     (new JsonObject { ["of"] = 12, ["reason"] = "Same." }, "of"),
                     (new JsonObject { ["of"] = "FB\u0000", ["reason"] = "Same." }, "NUL character"),
                     (new JsonObject { ["of"] = new string('9', 65), ["reason"] = "Same." }, "of: a case number"),
                 })
        {
            var response = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{b}/duplicate", "desk", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            (await response.Content.ReadAsStringAsync()).Should().Contain(message);
        }
        ((string?)(await Api.GetAsStaffAsync($"/api/feedback/{b}", "desk"))["duplicateOf"]).Should().BeNull("nothing was stored by the refused calls");
        (await QueuedEventsAsync()).Should().Be(0);

        // One level only: a duplicate's duplicate is pointed at the original, and a case with duplicates is no duplicate.
        await MarkAsync(b, "desk", body);
        var chained = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{c}/duplicate", "desk", new JsonObject { ["of"] = b, ["reason"] = "Same." });
        chained.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await chained.Content.ReadAsStringAsync()).Should().Contain($"{b} is itself a duplicate of {a}; mark {c} a duplicate of {a}");
        var reversed = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{a}/duplicate", "desk", new JsonObject { ["of"] = b, ["reason"] = "Same." });
        reversed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await reversed.Content.ReadAsStringAsync()).Should().Contain($"{b} is marked a duplicate of {a}; clear that mark first");
        var original = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{a}/duplicate", "desk", new JsonObject { ["of"] = c, ["reason"] = "Same." });
        original.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await original.Content.ReadAsStringAsync()).Should().Contain($"{a} has duplicates of its own");
    }

    private Task<JsonObject> MarkAsync(string number, string user, JsonObject body) => PostFlagAsync(number, "duplicate", user, body);
}
