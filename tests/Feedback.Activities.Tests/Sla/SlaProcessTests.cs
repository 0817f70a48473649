using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Tests.Verification;

namespace Feedback.Activities.Tests.Sla;

/// <summary>
/// The shipped general-feedback process with its resolution deadline, on hand-moved time: a complaint about a customer
/// service agent goes to customer service, which works to the head-office calendar (Mon-Fri 09:00-12:00 and 13:30-18:00,
/// Shanghai). The test policy gives every case 4 working hours to resolve; time starts Monday 1 March 2027 09:00.
/// </summary>
public sealed class SlaProcessTests() : RectificationProcessHarness("general-feedback")
{
    private const string FourHours = """
        { "policies": [ { "category": null, "severity": null, "targets": [ { "clock": "Resolution", "within": "04:00:00", "basis": "Working" } ] } ] }
        """;

    private static DateTimeOffset Shanghai(int day, int hour, int minute = 0, int second = 0) => new(2027, 3, day, hour, minute, second, TimeSpan.FromHours(8));

    private async Task<string> SubmitComplaintAsync()
    {
        await PutAsync("/api/admin/sla/policies", FourHours);
        return await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = "ann@example.com", ["language"] = "en",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
    }

    private async Task PutAsync(string url, string json, HttpStatusCode expected = HttpStatusCode.NoContent)
    {
        var response = await Api.PutAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<(DateTimeOffset At, string Action, string Details)>> SlaHistoryAsync(string number) =>
        (await CaseAsync(number))["history"]!.AsArray()
            .Select(h => (DateTimeOffset.Parse((string)h!["at"]!), (string)h["action"]!, (string?)h["details"] ?? ""))
            .Where(h => h.Item2 is "SlaWarning" or "SlaBreached" or "Escalated" or "SlaPaused" or "SlaResumed").ToList();

    /// <summary>The case's due time as the staff's case list shows it (and reports count it).</summary>
    private async Task<DateTimeOffset?> CaseDueAtAsync(string number)
    {
        var item = (await Api.GetFromJsonAsync<JsonObject>("/api/feedback?pageSize=50"))!["items"]!.AsArray().Single(i => (string?)i!["number"] == number)!;
        return item["dueAt"] is { } due ? DateTimeOffset.Parse((string)due!) : null;
    }

    private async Task<JsonObject> ResolutionClockAsync(string number) =>
        (await CaseAsync(number))["clocks"]!.AsArray().Single(c => (string?)c!["name"] == "Resolution")!.AsObject();

    [Fact]
    public async Task An_untouched_complaint_is_warned_at_50_and_80_percent_and_escalates_level_by_level_on_time()
    {
        var number = await SubmitComplaintAsync();
        ((string?)(await CaseAsync(number))["leadDepartment"]).Should().Be("customer-service");

        await Time.AdvanceToAsync(Shanghai(1, 10, 59));
        (await SlaHistoryAsync(number)).Should().BeEmpty("a quarter of the target is used");
        await Time.AdvanceToAsync(Shanghai(1, 11));
        (await SlaHistoryAsync(number)).Should().ContainSingle().Which.Action.Should().Be("SlaWarning");

        await Time.AdvanceToAsync(Shanghai(2, 16));
        var history = await SlaHistoryAsync(number);
        history.Select(h => (h.At, h.Action)).Should().Equal(
            (Shanghai(1, 11), "SlaWarning"),       // 2 of 4 working hours
            (Shanghai(1, 13, 42), "SlaWarning"),   // 3 h 12 min: three before lunch, twelve minutes after it
            (Shanghai(1, 14, 30), "SlaBreached"),
            (Shanghai(1, 14, 30), "Escalated"),    // level 1 at the breach
            (Shanghai(2, 9, 30), "Escalated"),     // level 2 four working hours later, across the night
            (Shanghai(2, 15), "Escalated"));       // level 3 four working hours after that, across lunch
        history[0].Details.Should().Contain("50%");
        history[1].Details.Should().Contain("80%");
        history.Where(h => h.Action == "Escalated").Select(h => h.Details[..7]).Should().Equal("Level 1", "Level 2", "Level 3");

        var feedback = await CaseAsync(number);
        ((int)feedback["escalationLevel"]!).Should().Be(3);
        var clock = await ResolutionClockAsync(number);
        ((string?)clock["state"]).Should().Be("Running", "nobody resolved it");
        ((bool)clock["breached"]!).Should().BeTrue();
        DateTimeOffset.Parse((string)clock["breachedAt"]!).Should().Be(Shanghai(1, 14, 30));
        ((string?)clock["target"]).Should().Be("04:00:00");
        ((string?)clock["used"]).Should().Be("13:00:00", "7.5 h on Monday, 5.5 h on Tuesday until 16:00");
        ((string?)clock["left"]).Should().Be("00:00:00");
        ((string?)clock["overrun"]).Should().Be("09:00:00");
        for (var i = 0; i < 75 && MailsTo("lin.fang@example.com").Count == 0; i++) await Task.Delay(200); // the outbox delivers after the commit
        MailsTo("lin.fang@example.com").Should().ContainSingle("the head of customer service is level 1");
        Time.PendingTimers.Should().Be(0, "after the last level the deadline is done");
    }

    [Fact]
    public async Task Feedback_entered_days_after_it_arrived_escalates_one_level_now_and_the_next_one_interval_later()
    {
        await PutAsync("/api/admin/sla/policies", FourHours);
        var entered = await Api.PostAsJsonAsync("/api/feedback/staff-entry", new JsonObject
        {
            ["enteredBy"] = "xu.ting",
            ["feedback"] = new JsonObject
            {
                ["channel"] = "Counter", ["customerName"] = "Ann", ["customerPhone"] = "13800000000", ["language"] = "en",
                ["content"] = "The customer service agent was rude and hung up on me twice.", ["receivedAt"] = Shanghai(1, 9).AddDays(-4),
            },
        });
        entered.StatusCode.Should().Be(HttpStatusCode.Created, await entered.Content.ReadAsStringAsync());
        var number = (string)(await entered.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        await Time.AdvanceToAsync(Shanghai(1, 9, 1));
        (await SlaHistoryAsync(number)).Where(h => h.Action != "SlaWarning").Select(h => h.Action).Should().Equal(["SlaBreached", "Escalated"],
            "written down four days late, the case is breached at once, but the head gets one interval before the next level");
        await Time.AdvanceToAsync(Shanghai(1, 14, 29));
        (await SlaHistoryAsync(number)).Count(h => h.Action == "Escalated").Should().Be(1);
        await Time.AdvanceToAsync(Shanghai(1, 14, 31));
        (await SlaHistoryAsync(number)).Count(h => h.Action == "Escalated").Should().Be(2, "four working hours after the first: 09:00-12:00 and 13:30-14:30");
    }

    [Fact]
    public async Task A_paused_and_resumed_complaint_breaches_exactly_when_its_working_time_runs_out()
    {
        var number = await SubmitComplaintAsync();
        await Time.AdvanceToAsync(Shanghai(1, 10));

        var pause = await Api.PostAsJsonAsync($"/api/feedback/{number}/sla/pause", new { reason = "Waiting for the customer's recording of the call." });
        pause.StatusCode.Should().Be(HttpStatusCode.OK, await pause.Content.ReadAsStringAsync());
        var paused = await ResolutionClockAsync(number);
        ((bool)paused["paused"]!, (string?)paused["used"], (string?)paused["pausedFor"]).Should().Be((true, "01:00:00", "Waiting for the customer's recording of the call."));
        paused["dueAt"].Should().BeNull();
        (await CaseDueAtAsync(number)).Should().BeNull("a paused case is due nowhere: not counted due in a month, nor listed as overdue");

        await Time.AdvanceToAsync(Shanghai(3, 10)); // two days later, Wednesday
        (await SlaHistoryAsync(number)).Select(h => h.Action).Should().Equal("SlaPaused");
        ((string?)(await ResolutionClockAsync(number))["used"]).Should().Be("01:00:00", "a paused clock uses no time");

        (await Api.PostAsync($"/api/feedback/{number}/sla/resume", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var resumed = await ResolutionClockAsync(number);
        DateTimeOffset.Parse((string)resumed["dueAt"]!).Should().Be(Shanghai(3, 14, 30), "three working hours are left: two before lunch, one after");
        (await CaseDueAtAsync(number)).Should().Be(Shanghai(3, 14, 30), "the case is due again with its clock");

        await Time.AdvanceToAsync(Shanghai(3, 14, 29, 59));
        (await SlaHistoryAsync(number)).Select(h => h.Action).Should().Equal("SlaPaused", "SlaResumed", "SlaWarning", "SlaWarning");
        await Time.AdvanceToAsync(Shanghai(3, 14, 30));
        var history = await SlaHistoryAsync(number);
        history.Select(h => (h.At, h.Action)).Should().Equal(
            (Shanghai(1, 10), "SlaPaused"), (Shanghai(3, 10), "SlaResumed"),
            (Shanghai(3, 11), "SlaWarning"), (Shanghai(3, 13, 42), "SlaWarning"),
            (Shanghai(3, 14, 30), "SlaBreached"), (Shanghai(3, 14, 30), "Escalated"));
    }

    [Fact]
    public async Task A_case_closed_while_paused_is_due_from_its_close_and_counts_on_time()
    {
        // The shipped policy: 7 working days to resolve.
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = "ann@example.com", ["language"] = "en",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        await Time.AdvanceToAsync(Shanghai(1, 10));
        (await Api.PostAsJsonAsync($"/api/feedback/{number}/sla/pause", new { reason = "Waiting for the customer's recording of the call." }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        // Two weeks later the case is handled to the end without anyone resuming its clocks.
        await Time.AdvanceToAsync(Shanghai(15, 10));
        var owner = (string)(await CaseAsync(number))["owner"]!;
        await CompleteAsync(await OpenTaskAsync(number, "plan"), owner, "Submit",
            new JsonObject { ["Measures"] = "Coach the agent", ["Deadline"] = "2027-03-17", ["Goal"] = "A polite call back" });
        await CompleteAsync(await OpenTaskAsync(number, "Carry out"), owner, "Done", new JsonObject { ["Report"] = "Coached.", ["CustomerReply"] = "We coached the agent." });
        await CompleteAsync(await OpenTaskAsync(number, "department head"), "lin.fang", "Approve");
        await CompleteAsync(await OpenTaskAsync(number, "complaint desk"), "xu.ting", "Approve");
        await AnswerSurveyAsync(number, 5, null);
        await ShouldHaveFinishedAsync(number);

        var clock = await ResolutionClockAsync(number);
        ((string?)clock["state"], (string?)clock["used"]).Should().Be(("Stopped", "01:00:00"), "the pause used no time");
        var due = await CaseDueAtAsync(number);
        due.Should().NotBeNull().And.BeAfter(Shanghai(15, 10), "the time left runs from the close, not from the pause two weeks earlier");
        var march = (await Api.GetFromJsonAsync<JsonObject>("/api/reports/figures?period=2027-03"))!["total"]!;
        ((long)march["dueInPeriod"]!, (long)march["onTime"]!).Should().Be((1L, 1L), march.ToJsonString());
    }

    [Fact]
    public async Task Changing_the_policy_or_the_calendar_moves_open_deadlines_and_keeps_the_time_used()
    {
        var number = await SubmitComplaintAsync();
        await Time.AdvanceToAsync(Shanghai(1, 10));

        await PutAsync("/api/admin/sla/policies", FourHours.Replace("04:00:00", "06:00:00"));
        var longer = await ResolutionClockAsync(number);
        ((string?)longer["target"], (string?)longer["used"]).Should().Be(("06:00:00", "01:00:00"));
        DateTimeOffset.Parse((string)longer["dueAt"]!).Should().Be(Shanghai(1, 16, 30));

        // The head office now starts at 09:30 and after lunch at 14:00. The hour used from 09:00 stays an hour (measured
        // again it would be half of one), and the five hours left end half an hour later.
        var calendar = (await Api.GetStringAsync("/api/admin/sla/calendars/example-head-office"))
            .Replace("\"09:00-12:00\", \"13:30-18:00\"", "\"09:30-12:00\", \"14:00-18:00\"");
        calendar.Should().Contain("09:30-12:00").And.Contain("EXAMPLE ONLY", "the stored file keeps the admin's comments");
        await PutAsync("/api/admin/sla/calendars/example-head-office", calendar);
        var moved = await ResolutionClockAsync(number);
        ((string?)moved["used"]).Should().Be("01:00:00", "the hour already used is kept");
        DateTimeOffset.Parse((string)moved["dueAt"]!).Should().Be(Shanghai(1, 17));

        await Time.AdvanceToAsync(Shanghai(1, 17));
        (await SlaHistoryAsync(number)).Where(h => h.Action == "SlaBreached").Should().ContainSingle().Which.At.Should().Be(Shanghai(1, 17));
    }

    [Fact]
    public async Task A_faulted_case_neither_fails_a_pause_nor_keeps_a_policy_change_from_the_other_cases()
    {
        var broken = await SubmitComplaintAsync();
        var other = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Bo", ["customerEmail"] = "bo@example.com", ["language"] = "en",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        await FaultInstanceAsync(broken);
        ((string?)(await InstanceAsync(broken))["subStatus"]).Should().Be("Faulted");

        var pause = await Api.PostAsJsonAsync($"/api/feedback/{broken}/sla/pause", new { reason = "Waiting for the customer." });
        pause.StatusCode.Should().Be(HttpStatusCode.OK, await pause.Content.ReadAsStringAsync());
        ((bool)(await ResolutionClockAsync(broken))["paused"]!).Should().BeTrue();

        await PutAsync("/api/admin/sla/policies", FourHours.Replace("04:00:00", "06:00:00"));
        // The other case's deadline re-read its clock: its first warning, at half of six working hours, is now at noon.
        var deadline = (await InstanceAsync(other))["workflowState"]!["bookmarks"]!.AsArray()
            .Single(b => (string?)b!["name"] == Feedback.Activities.Sla.SlaDeadline.Stimulus)!;
        DateTimeOffset.Parse((string)deadline["resumeAt"]!).Should().Be(Shanghai(1, 12));
    }

    [Theory]
    [InlineData("/api/admin/sla/policies", """{ "policies": [ { "category": "ProductQuality", "targets": [] } ] }""", "default policy")]
    [InlineData("/api/admin/sla/policies", """{ "policies": [ { "targets": [ { "clock": "Lunch", "within": "01:00:00" } ] } ] }""", "'Lunch' is not a clock")]
    [InlineData("/api/admin/sla/calendars/example-plant", """{ "timeZone": "Asia/Shanghai", "week": { "Monday": ["08:00-12:00"] }, "default": true }""", "Only one calendar can be the default")]
    [InlineData("/api/admin/sla/calendars/night", """{ "timeZone": "Asia/Shanghai", "week": { "Monday": ["25:00-26:00"] } }""", "not a working interval")]
    public async Task Bad_policies_and_calendars_are_refused_with_what_is_wrong_and_change_nothing(string url, string json, string expected)
    {
        var before = await Api.GetStringAsync("/api/admin/sla/calendars");
        var response = await Api.PutAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
        (await Api.GetStringAsync("/api/admin/sla/calendars")).Should().Be(before);
    }

    [Fact]
    public async Task Pausing_needs_a_reason_and_an_existing_case()
    {
        var number = await SubmitComplaintAsync();
        var noReason = await Api.PostAsJsonAsync($"/api/feedback/{number}/sla/pause", new { reason = " " });
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).Should().Contain("reason");
        (await Api.PostAsJsonAsync("/api/feedback/FB-2027-999999/sla/pause", new { reason = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        ((bool)(await ResolutionClockAsync(number))["paused"]!).Should().BeFalse();
    }
}
