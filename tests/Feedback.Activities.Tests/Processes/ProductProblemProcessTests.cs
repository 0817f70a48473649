using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Sla;
using Feedback.Activities.Tests.Verification;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Processes;

/// <summary>
/// The shipped product-problem process, end to end through the HTTP API on PostgreSQL with the example organisation
/// (customer service: liu.yang and wang.lei, head lin.fang; development gao.yan; testing sun.li) and real mail.
/// </summary>
public sealed class ProductProblemProcessTests() : RectificationProcessHarness("product-problem")
{
    private const string Customer = "ann@example.com";

    private Task<string> SubmitProblemAsync() => SubmitAsync(new JsonObject
    {
        ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = Customer, ["language"] = "en",
        ["content"] = "The pull ring of the new easy-open lid snaps off before the can opens; three of six cans did this.",
        ["product"] = new JsonObject { ["name"] = "Tuna in oil 185g", ["batchOrSerial"] = "L2026-11" },
    });

    /// <summary>Customer service records the problem for development; returns the owner.</summary>
    private async Task<string> RecordAsync(string number)
    {
        var owner = (string)(await CaseAsync(number))["owner"]!;
        var record = await OpenTaskAsync(number, "Record the product problem");
        ((string?)record["assignee"]).Should().Be(owner);
        await CompleteAsync(record, owner, "SendToDevelopment", new JsonObject { ["Problem"] = "Easy-open lid L2026-11: pull ring snaps at the rivet." });
        return owner;
    }

    private async Task AnswerAsync(string number, string answer)
    {
        var develop = await OpenTaskAsync(number, "(development)");
        (((string?)develop["role"]), (string?)develop["department"]).Should().Be(("Staff", "rnd"));
        await CompleteAsync(develop, "gao.yan", "Answer", new JsonObject { ["DevAnswer"] = answer });
    }

    private async Task TestAsync(string number, string action, string report) =>
        await CompleteAsync(await OpenTaskAsync(number, "(testing)"), "sun.li", action, new JsonObject { ["TestReport"] = report });

    /// <summary>The callback as customer service records it, with the written reply that goes to the customer.</summary>
    private Task CallBackAsync(JsonObject task, string owner, string rating, string comment, string reply = "The pull ring's rivet punch was worn; it has been replaced and the rivets are now checked every hour.") =>
        CompleteAsync(task, owner, "Record", new JsonObject { ["Rating"] = rating, ["CustomerComment"] = comment, ["CustomerReply"] = reply });

    private async Task<List<string?>> BookmarksAsync(string number) =>
        (await InstanceAsync(number))["workflowState"]!["bookmarks"]!.AsArray().Select(b => (string?)b!["name"]).ToList();

    [Fact]
    public async Task Customer_service_development_testing_and_a_satisfied_customer_close_it_with_a_reply()
    {
        var number = await SubmitProblemAsync();
        var routed = await CaseAsync(number);
        ((string?)routed["leadDepartment"], (string?)routed["category"]).Should().Be(("customer-service", "ProductQuality"),
            "the flow routes by AfterSales to customer service, but the case keeps the category its text was classified in");
        var owner = await RecordAsync(number);
        var develop = await OpenTaskAsync(number, "(development)");
        ((string?)develop["instructions"]).Should().Contain("pull ring snaps at the rivet").And.Contain("2 working days");
        DateTimeOffset.Parse((string)develop["dueAt"]!).Should().BeAfter(Time.UtcNow.AddDays(1.9));
        (await BookmarksAsync(number)).Count(b => b == SlaDeadline.Stimulus).Should().Be(2, "the development deadline races the task, beside the case's resolution deadline");

        await AnswerAsync(number, "Rivet punch worn; replaced, rivet height now checked hourly.");
        (await BookmarksAsync(number)).Count(b => b == SlaDeadline.Stimulus).Should().Be(1, "the first answer cancels the development deadline");
        await TestAsync(number, "Verified", "200 lids from the new run opened cleanly.");
        var callback = await OpenTaskAsync(number, "Call the customer back");
        ((string?)callback["assignee"]).Should().Be(owner);
        await CallBackAsync(callback, owner, "5", "Happy with the replacement.");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed");
        ((int?)done["satisfaction"]).Should().Be(5);
        ((int)done["escalationLevel"]!).Should().Be(0);
        var mails = await MailsAsync(2);
        mails.Select(m => m.Subject).Should().BeEquivalentTo([$"We have received your feedback ({number})", $"The outcome of your feedback ({number})"]);
        mails.Single(m => m.Subject!.StartsWith("The outcome")).TextBody.Should().Contain("The pull ring's rivet punch was worn; it has been replaced")
            .And.NotContain("200 lids", "the laboratory's report is internal").And.NotContain("Cause and fix", "the customer reads what customer service wrote for them");
    }

    [Fact]
    public async Task A_customer_not_reached_on_the_callback_still_gets_the_written_reply_unrated()
    {
        var number = await SubmitProblemAsync();
        var owner = await RecordAsync(number);
        await AnswerAsync(number, "Rivet punch worn; replaced.");
        await TestAsync(number, "Verified", "200 lids fine.");

        await CallBackAsync(await OpenTaskAsync(number, "Call the customer back"), owner, "Not reached", "Voicemail twice.");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        done["satisfaction"].Should().BeNull();
        Actions(done).Should().NotContain(["CustomerSatisfied", "CustomerUnsatisfied", "ReworkRequested"]);
        (await MailsAsync(2)).Should().Contain(m => m.Subject!.StartsWith("The outcome"));
    }

    [Fact]
    public async Task A_problem_flagged_as_false_is_closed_without_a_reply_and_its_open_task_withdrawn()
    {
        var number = await SubmitProblemAsync();
        await RecordAsync(number);
        await OpenTaskAsync(number, "(development)");

        var flagged = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "xu.ting",
            new JsonObject { ["malicious"] = true, ["reason"] = "The photos are of another maker's cans." });
        flagged.EnsureSuccessStatusCode();
        var instanceId = (string)(await CaseAsync(number))["workflowInstanceId"]!;
        ((string?)(await Api.WaitForAsync(instanceId, "Finished", TimeSpan.FromSeconds(20)))["subStatus"]).Should().Be("Finished", await TrailAsync(number));

        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed");
        Actions(done).Should().ContainInOrder("FlaggedMalicious", "Closed", "TaskCancelled");
        (await OpenTasksAsync(number)).Should().BeEmpty("development's task and its deadline branch are withdrawn");
        MailsTo(Customer).Should().ContainSingle("the acknowledgement only: no result mail");
    }

    [Fact]
    public async Task A_failed_test_goes_back_to_development_with_the_report()
    {
        var number = await SubmitProblemAsync();
        var owner = await RecordAsync(number);
        await AnswerAsync(number, "Rivet punch worn; replaced.");

        await TestAsync(number, "Failed", "12 of 200 rings still snap.");
        var again = await OpenTaskAsync(number, "(development)");
        ((string?)again["instructions"]).Should().Contain("Latest from testing: 12 of 200 rings still snap.");
        (await BookmarksAsync(number)).Count(b => b == SlaDeadline.Stimulus).Should().Be(2, "each round has its own development deadline");
        await AnswerAsync(number, "Lid alloy too hard; supplier changed back.");
        await TestAsync(number, "Verified", "400 lids opened cleanly.");
        await CallBackAsync(await OpenTaskAsync(number, "Call the customer back"), owner, "4", "OK.",
            reply: "The lids were too hard; we changed back to the earlier supplier and 400 new lids opened cleanly.");

        await ShouldHaveFinishedAsync(number);
        (await MailsAsync(2)).Single(m => m.Subject!.StartsWith("The outcome")).TextBody.Should().Contain("changed back to the earlier supplier and 400 new lids");
    }

    [Fact]
    public async Task A_customer_unsatisfied_twice_gets_one_more_round_then_the_customer_service_head_resolves_it()
    {
        var number = await SubmitProblemAsync();
        var owner = await RecordAsync(number);
        await AnswerAsync(number, "Rivet punch worn; replaced.");
        await TestAsync(number, "Verified", "200 lids fine.");
        await CallBackAsync(await OpenTaskAsync(number, "Call the customer back"), owner, "2", "My new cans still have the problem.");

        ((int)(await CaseAsync(number))["reworkCount"]!).Should().Be(1);
        var again = await OpenTaskAsync(number, "(development)");
        ((string?)again["instructions"]).Should().Contain("Latest from the customer: My new cans still have the problem.");
        await AnswerAsync(number, "Old stock at the retailer; recalled batch L2026-11.");
        await TestAsync(number, "Verified", "Retail samples replaced.");
        await CallBackAsync(await OpenTaskAsync(number, "Call the customer back"), owner, "2", "Too late, I want compensation.");

        var head = await OpenTaskAsync(number, "(department head)");
        ((string?)head["department"]).Should().Be("customer-service");
        ((string?)head["instructions"]).Should().Contain("Too late, I want compensation.", "the head deciding reads what the customer said");
        await CompleteAsync(head, "lin.fang", "Resolve", new JsonObject { ["Resolution"] = "We refund the whole order and send a voucher." });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((int)done["escalationLevel"]!).Should().Be(1);
        ((string?)done["status"]).Should().Be("Replied", "the written reply with the resolution went out");
        Actions(done).Should().ContainInOrder("ReworkRequested", "CustomerUnsatisfied", "Escalated", "CustomerNotified");
        (await MailsAsync(3)).Should().HaveCount(3);
        MailsTo("lin.fang@example.com").Should().ContainSingle().Which.TextBody.Should().Contain("what they said is on the case")
            .And.NotContain("Too late", "the escalation's reason is kept in the append-only history, so the customer's words stay out of it");
        MailsTo(Customer).Single(m => m.Subject!.StartsWith("The outcome")).TextBody.Should().Contain("We refund the whole order");
    }

    [Fact]
    public async Task When_development_misses_its_deadline_the_case_escalates_and_the_first_answer_wins()
    {
        var number = await SubmitProblemAsync();
        var owner = await RecordAsync(number);
        await Time.AdvanceAsync(TimeSpan.FromDays(1));
        (await OpenTasksAsync(number)).Should().ContainSingle("a day later development still has time");

        await Time.AdvanceAsync(TimeSpan.FromDays(3)); // two working days are at most four calendar days
        var overdue = (await OpenTasksAsync(number)).Single(t => ((string?)t["title"])!.Contains("Overdue"));
        (((string?)overdue["role"]), (string?)overdue["department"]).Should().Be(("DepartmentHead", "rnd"));
        (await OpenTasksAsync(number)).Select(t => (string?)t["title"]).Should().HaveCount(2, "the developer can still answer");
        ((int)(await CaseAsync(number))["escalationLevel"]!).Should().Be(1);
        var alert = await FirstMailToAsync("gao.yan@example.com");
        alert.Subject.Should().Contain(number).And.Contain("部门负责人");
        alert.TextBody.Should().Contain("Development has not answered the product problem within 2 working days.");

        await CompleteAsync(overdue, "gao.yan", "Answer", new JsonObject { ["DevAnswer"] = "Rivet punch worn; replaced." });
        var develop = (await Api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Cancelled"))!["items"]!.AsArray();
        ((string?)develop.Should().ContainSingle().Subject!["title"]).Should().Contain("(development)");
        await TestAsync(number, "Verified", "200 lids fine.");
        await CallBackAsync(await OpenTaskAsync(number, "Call the customer back"), owner, "5", "Fine.");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        Actions(done).Should().ContainInOrder("TaskOpened", "Escalated", "TaskCancelled", "CustomerSatisfied");
        done["history"]!.AsArray().Single(h => (string?)h!["action"] == "Escalated")!["actor"]!.GetValue<string>().Should().Be("workflow");
    }

    [Fact]
    public async Task Developments_time_out_goes_to_the_development_head_even_when_the_case_is_already_escalated()
    {
        var number = await SubmitProblemAsync();
        await RecordAsync(number);
        await SetEscalationLevelAsync(number, 1); // the customer service head already has the case

        await Time.AdvanceAsync(TimeSpan.FromDays(4));
        (await OpenTasksAsync(number)).Should().Contain(t => ((string?)t["title"])!.Contains("Overdue"));
        var escalated = (await CaseAsync(number))["history"]!.AsArray().Where(h => (string?)h!["action"] == "Escalated").Select(h => (string)h!["details"]!).ToList();
        escalated.Should().ContainSingle().Which.Should().StartWith("Level 1", "development's deadline asks development's head, not the next level of the case");
        ((int)(await CaseAsync(number))["escalationLevel"]!).Should().Be(1, "the case is not raised further by a department's own deadline");
        (await FirstMailToAsync("gao.yan@example.com")).TextBody.Should().Contain("Development has not answered the product problem within 2 working days.");
        MailsTo("zhou.min@example.com").Should().BeEmpty("the complaint desk manager cannot answer for development");
    }
}
