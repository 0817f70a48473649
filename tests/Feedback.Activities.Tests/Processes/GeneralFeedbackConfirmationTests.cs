using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.Activities.Surveys;
using Feedback.Activities.Tests.Verification;

namespace Feedback.Activities.Tests.Processes;

/// <summary>
/// The customer's confirmation in the shipped general-feedback process: a survey by e-mail, a callback when the survey
/// goes unanswered or the customer left no address, one more rectification when the customer is unsatisfied, and the
/// complaint desk's final answer after that; and the on-time rate the monthly figures make of a case so handled.
/// </summary>
public sealed class GeneralFeedbackConfirmationTests() : RectificationProcessHarness("general-feedback")
{
    private const string Customer = "ann@example.com";
    private const string Report = "The courier was retrained and the parcel re-sent on 2027-03-02.";

    private Task<string> SubmitAsync(string? email = Customer, string? phone = null) => SubmitAsync(new JsonObject
    {
        ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = email, ["customerPhone"] = phone, ["language"] = "en",
        ["content"] = "The parcel arrived four days late and the box was crushed; the courier threw it over the gate.",
    });

    /// <summary>Plan, rectify, and both reviews approve; returns the owner.</summary>
    private async Task<string> RectifyAndApproveAsync(string number, string report = Report)
    {
        var owner = (string)(await CaseAsync(number))["owner"]!;
        await CompleteAsync(await OpenTaskAsync(number, "plan"), owner, "Submit",
            new JsonObject { ["Measures"] = "Retrain the courier", ["Deadline"] = "2027-03-05", ["Goal"] = "No crushed parcels" });
        ((string?)(await CaseAsync(number))["status"]).Should().Be("InRectification", "the rectification task says so while it is open");
        var rectify = await OpenTaskAsync(number, "Carry out");
        DateTimeOffset.Parse((string)rectify["dueAt"]!).Should().Be(new DateTimeOffset(2027, 3, 6, 0, 0, 0, TimeSpan.FromHours(8)),
            "the plan's deadline, the end of 5 March in China, is earlier than 7 working days from 1 March");
        await CompleteAsync(rectify, owner, "Done", new JsonObject { ["Report"] = report, ["CustomerReply"] = report });
        ((string?)(await CaseAsync(number))["status"]).Should().Be("UnderReview");
        ((string?)(await CaseAsync(number))["leadDepartment"]).Should().Be("logistics");
        await CompleteAsync(await OpenTaskAsync(number, "department head"), "he.ping", "Approve");
        await CompleteAsync(await OpenTaskAsync(number, "complaint desk"), "xu.ting", "Approve");
        return owner;
    }

    [Fact]
    public async Task A_review_opened_on_a_friday_is_due_after_the_weekend_in_working_days()
    {
        var number = await SubmitAsync();
        var owner = (string)(await CaseAsync(number))["owner"]!;
        await CompleteAsync(await OpenTaskAsync(number, "plan"), owner, "Submit",
            new JsonObject { ["Measures"] = "Retrain the courier", ["Deadline"] = "2027-03-05", ["Goal"] = "No crushed parcels" });
        await Time.AdvanceAsync(TimeSpan.FromDays(4) + TimeSpan.FromHours(1));
        await CompleteAsync(await OpenTaskAsync(number, "Carry out"), owner, "Done", new JsonObject { ["Report"] = Report, ["CustomerReply"] = Report });

        // Opened on Friday 5 March 2027 at 10:00 in China: two working days end on Tuesday, not on Sunday.
        var review = await OpenTaskAsync(number, "department head");
        var due = DateTimeOffset.Parse((string)review["dueAt"]!).ToOffset(TimeSpan.FromHours(8));
        due.Should().BeAfter(new DateTimeOffset(2027, 3, 8, 9, 0, 0, TimeSpan.FromHours(8)), "Saturday and Sunday are no working days")
            .And.BeBefore(new DateTimeOffset(2027, 3, 10, 0, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public async Task A_satisfied_survey_answer_closes_the_case_with_the_written_reply()
    {
        var number = await SubmitAsync();
        await RectifyAndApproveAsync(number);
        (await OpenTasksAsync(number)).Should().BeEmpty("the customer is asked by mail, not through a task");
        var survey = (await MailsAsync(3)).Should().ContainSingle(m => m.Subject!.StartsWith("How did we do")).Subject;
        survey.TextBody.Should().Contain(Report, "the survey says what was done").And.Contain("The survey is open until 2027-03-04 09:00.");
        ((string?)(await CaseAsync(number))["status"]).Should().Be("AwaitingCustomer");

        await AnswerSurveyAsync(number, 5, "Quick and polite.");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((int?)done["satisfaction"]).Should().Be(5);
        Actions(done).Should().ContainInOrder("SurveySent", "SurveyAnswered", "CustomerSatisfied", "CustomerNotified");
        var mails = await MailsAsync(4);
        mails.Select(m => m.Subject).Should().ContainInOrder(
            $"We have received your feedback ({number})", $"Progress on your feedback ({number})", $"How did we do? ({number})", $"The outcome of your feedback ({number})");
        mails.Single(m => m.Subject!.StartsWith("Progress")).TextBody.Should().Contain("expects to be done by 2027-03-05");
        var outcome = mails.Single(m => m.Subject!.StartsWith("The outcome"));
        outcome.Body!.Headers["Content-Language"].Should().Be("en", "the mail says which language it is in, the customer's");
        outcome.HtmlBody.Should().Contain("<html lang=\"en\">");
    }

    /// <summary>The customer answers the <paramref name="round"/>th survey mail on its page, as a browser would; returns the page's answer.</summary>
    private async Task<string> AnswerOnThePageAsync(int round, int rating, string comment)
    {
        var mail = (await Smtp.WaitForAsync(round, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Survey"))[round - 1];
        var path = new Uri(Regex.Match(mail.TextBody ?? "", @"https?://\S+/l/\S+").Value).PathAndQuery;
        var form = await Api.GetStringAsync(path);
        var token = WebUtility.HtmlDecode(Regex.Match(form, "name=\"__af\" value=\"([^\"]*)\"").Groups[1].Value);
        var response = await Api.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__af"] = token, ["rating"] = rating.ToString(System.Globalization.CultureInfo.InvariantCulture), ["comment"] = comment,
        }));
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        response.StatusCode.Should().Be(HttpStatusCode.OK, html);
        return html;
    }

    [Fact]
    public async Task An_unsatisfied_customer_gets_one_more_rectification_then_the_complaint_desk_decides_the_final_answer()
    {
        var number = await SubmitAsync();
        var owner = await RectifyAndApproveAsync(number);
        (await AnswerOnThePageAsync(1, 2, "The new parcel was late too."))
            .Should().Contain("the department puts it right again, and then asks you once more", "the customer hears what their answer starts");

        var replan = await OpenTaskAsync(number, "plan");
        ((string?)replan["assignee"]).Should().Be(owner, "the rework goes back to the case's owner");
        ((string?)replan["instructions"]).Should().Contain("not satisfied with the last rectification (2/5): The new parcel was late too.");
        await RectifyAndApproveAsync(number, "Switched the courier for this district.");
        (await MailsAsync(5)).Count(m => m.Subject!.StartsWith("How did we do")).Should().Be(2, "the customer is asked again after the rework");
        (await AnswerOnThePageAsync(2, 1, "Still late.")).Should().Contain("we decide what more we can do, and write to you");

        var final = await OpenTaskAsync(number, "final answer");
        (((string?)final["role"]), (string?)final["department"]).Should().Be(("ComplaintDesk", "complaint-desk"));
        ((string?)final["instructions"]).Should().Contain("Still late.");
        await CompleteAsync(final, "xu.ting", "Reply", new JsonObject { ["Resolution"] = "We refund the delivery fee and deliver in person." });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        Actions(done).Should().ContainInOrder("ReworkRequested", "SurveyAnswered", "CustomerUnsatisfied", "CustomerNotified");
        ((int?)done["satisfaction"]).Should().Be(1);
        ((string?)done["customerComment"]).Should().Be("Still late.", "the customer's latest words are on the case");
        done["customerComments"]!.AsArray().Select(w => ((int)w!["round"]!, (int?)w["rating"], (string?)w["text"])).Should().Equal(
            [(1, 2, "The new parcel was late too."), (2, 1, "Still late.")], "the first round's words are not lost to the rework's answer");
        done["history"]!.ToJsonString().Should().NotContain("Still late").And.NotContain("The new parcel was late too",
            "the history is append-only, so the customer's words stay out of it and anonymisation can remove them");
        var reply = (await MailsAsync(6)).Single(m => m.Subject!.StartsWith("The outcome"));
        reply.TextBody.Should().Contain("Switched the courier for this district.").And.Contain("We refund the delivery fee");
    }

    [Fact]
    public async Task An_unanswered_survey_closes_after_three_days_and_the_complaint_desk_calls_the_customer()
    {
        var number = await SubmitAsync(phone: "13800000000");
        await RectifyAndApproveAsync(number);
        await Time.AdvanceAsync(TimeSpan.FromDays(2));
        (await OpenTasksAsync(number)).Should().BeEmpty("the customer still has a day to answer");

        await Time.AdvanceAsync(TimeSpan.FromDays(1.1));
        var callback = await WaitForTaskAsync(number, "Call the customer back", TimeSpan.FromSeconds(20));
        ((string?)callback["role"]).Should().Be("ComplaintDesk");
        var late = async () => await AnswerSurveyAsync(number, 5, "Sorry, I was away.");
        await late.Should().ThrowAsync<SurveyClosedException>("the link stops working when the survey closes");

        await AnswerCallbackAsync(callback, "xu.ting", 4, "Fine now.");
        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        Actions(done).Should().ContainInOrder("SurveySent", "SurveyUnanswered", "TaskCompleted", "CustomerSatisfied", "CustomerNotified");
        ((int?)done["satisfaction"]).Should().Be(4);
    }

    [Fact]
    public async Task Anonymous_feedback_is_closed_when_its_flow_ends_since_nobody_can_be_asked_or_answered()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["language"] = "en",
            ["content"] = "The parcel arrived four days late and the box was crushed; the courier threw it over the gate.",
        });
        await RectifyAndApproveAsync(number);

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed", "a finished case is resolved, or it counts as open and late in every report");
        Actions(done).Last().Should().Be("ClosedWithoutReply");
    }

    [Fact]
    public async Task A_customer_without_an_e_mail_address_is_called_and_one_not_reached_gets_the_reply_unrated_by_sms()
    {
        var number = await SubmitAsync(email: null, phone: "13800000000");
        await RectifyAndApproveAsync(number);
        var callback = await OpenTaskAsync(number, "Call the customer back");
        ((string?)callback["instructions"]).Should().Contain(Report);

        await CompleteAsync(callback, "xu.ting", "Record", new JsonObject { ["Rating"] = "Not reached", ["CustomerComment"] = "Three calls, no answer." });

        // No address to mail the reply to, but a phone number: the complaint desk sends it in writing and says how.
        var written = await OpenTaskAsync(number, "Send the customer the written reply");
        ((string?)written["instructions"]).Should().Contain(Report);
        ((string?)(await CaseAsync(number))["status"]).Should().NotBe("Closed", "the case is not finished before the customer has the reply");
        await CompleteAsync(written, "xu.ting", "Record", new JsonObject { ["ReplyChannel"] = "SMS" });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        done["satisfaction"].Should().BeNull("nobody answered, so the case counts neither as satisfied nor as unsatisfied");
        ((string?)done["status"]).Should().Be("Replied");
        var last = done["history"]!.AsArray().Last()!;
        ((string?)last["action"]).Should().Be("RepliedInWriting");
        ((string?)last["details"]).Should().Be("Written reply sent by SMS.");
        ((string?)last["actor"]).Should().Be("xu.ting");
        Actions(done).Should().NotContain(["CustomerSatisfied", "CustomerUnsatisfied", "ReworkRequested", "ClosedWithoutReply"]);
    }

    [Fact]
    public async Task A_satisfied_customer_without_an_e_mail_address_stays_open_until_the_written_reply_is_sent()
    {
        var number = await SubmitAsync(email: null, phone: "13800000000");
        await RectifyAndApproveAsync(number);
        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 5, "All good now.");

        var written = await OpenTaskAsync(number, "Send the customer the written reply");
        var open = await CaseAsync(number);
        ((string?)open["status"]).Should().NotBe("Closed", "the customer does not have the reply yet").And.NotBe("Replied");
        (await ResolvedAtAsync(number)).Should().BeNull("the case is not resolved before the reply");
        ((string?)open["clocks"]!.AsArray().Single(c => (string?)c!["name"] == "Reply")!["state"]).Should().Be("Running", "the written-reply task is still timed");
        var openCases = (await Api.GetFromJsonAsync<JsonObject>("/api/feedback?open=true&pageSize=50"))!["items"]!.AsArray();
        openCases.Select(c => (string?)c!["number"]).Should().Contain(number, "it is found among the open cases");

        await Time.AdvanceAsync(TimeSpan.FromHours(2));
        await CompleteAsync(written, "xu.ting", "Record", new JsonObject { ["ReplyChannel"] = "SMS" });
        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed", "the customer was satisfied and has the reply");
        ((int?)done["satisfaction"]).Should().Be(5);
        (await ResolvedAtAsync(number)).Should().Be(Time.UtcNow, "resolved when the reply went out, not at the callback");
        Actions(done).Should().ContainInOrder("CustomerSatisfied", "RepliedInWriting");
    }

    [Fact]
    public async Task The_monthly_figures_count_a_case_replied_within_its_seven_working_days_as_on_time_and_a_later_one_as_late()
    {
        var prompt = await SubmitAsync();
        var late = await SubmitAsync(email: "bo@example.com", phone: "13800000000");
        await RectifyAndApproveAsync(prompt);
        await AnswerSurveyAsync(prompt, 5, null);
        await ShouldHaveFinishedAsync(prompt);

        // The other customer leaves the survey unanswered, and the callback is made only past 7 working days from Monday 1 March.
        await RectifyAndApproveAsync(late);
        await Time.AdvanceAsync(TimeSpan.FromDays(11));
        await AnswerCallbackAsync(await WaitForTaskAsync(late, "Call the customer back", TimeSpan.FromSeconds(20)), "xu.ting", 4, "Fine.");
        await ShouldHaveFinishedAsync(late);

        var march = (await Api.GetFromJsonAsync<JsonObject>("/api/reports/figures?period=2027-03"))!["total"]!;
        ((long)march["dueInPeriod"]!, (long)march["onTime"]!).Should().Be((2L, 1L), march.ToJsonString());
    }
}
