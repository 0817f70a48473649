using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Feedback.Activities.Tests.Verification;

namespace Feedback.Activities.Tests.Processes;

/// <summary>
/// The shipped negative-review-rectification process, end to end through the HTTP API on PostgreSQL with the example
/// organisation (quality: li.wei and zhang.hua, head chen.jie; complaint desk xu.ting, manager zhou.min; management
/// ma.jun) and real mail.
/// </summary>
public sealed class NegativeReviewProcessTests() : RectificationProcessHarness("negative-review-rectification")
{
    private const string Customer = "wang@example.cn";

    private Task<string> SubmitComplaintAsync() => SubmitAsync(new JsonObject
    {
        ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = Customer, ["language"] = "zh-CN",
        ["content"] = "昨天在超市买的红烧猪肉罐头胀罐了，罐盖鼓起来，打开有一股酸臭味，孩子差点吃了。要求退货并给个说法。",
        ["product"] = new JsonObject { ["name"] = "红烧猪肉罐头 397g", ["batchOrSerial"] = "B20261018" },
    });

    /// <summary>The plan's deadline: the day after the host's start, well inside what the rectification may take, so the customer is promised it.</summary>
    private string Deadline => _deadline ??= Time.UtcNow.AddDays(1).ToString("yyyy-MM-dd");
    private string? _deadline;

    /// <summary>Plan and rectify as the owner; returns the owner.</summary>
    /// <param name="reply">What the customer is told; the report itself when null.</param>
    private async Task<string> PlanAndRectifyAsync(string number, string report, string? reply = null)
    {
        var owner = (string)(await CaseAsync(number))["owner"]!;
        var plan = await OpenTaskAsync(number, "rectification plan");
        ((string?)plan["assignee"]).Should().Be(owner);
        await CompleteAsync(plan, owner, "Submit", new JsonObject { ["Measures"] = "下架批次 B20261018，检查封口机", ["Deadline"] = Deadline, ["Goal"] = "无同类投诉" });
        await CompleteAsync(await OpenTaskAsync(number, "Carry out"), owner, "Done", new JsonObject { ["Report"] = report, ["CustomerReply"] = reply ?? report });
        return owner;
    }

    private async Task ApproveBothAsync(string number)
    {
        await CompleteAsync(await OpenTaskAsync(number, "department head"), "chen.jie", "Approve", new JsonObject { ["HeadComments"] = "可以" });
        await CompleteAsync(await OpenTaskAsync(number, "complaint desk"), "xu.ting", "Approve");
    }

    [Fact]
    public async Task A_satisfied_customer_closes_the_case_and_gets_the_written_reply_with_the_improvements()
    {
        var number = await SubmitComplaintAsync();
        var feedback = await CaseAsync(number);
        ((string?)feedback["leadDepartment"]).Should().Be("quality");
        ((string?)feedback["owner"]).Should().BeOneOf("li.wei", "zhang.hua");

        await PlanAndRectifyAsync(number, "已下架批次 B20261018，更换封口机密封圈，复检合格。司机李伟已被警告，内部编号 QA-778。",
            reply: "我们已下架批次 B20261018 并更换封口机密封圈，复检合格；今后每班点检封口机。");
        var review = await OpenTaskAsync(number, "department head");
        ((string?)review["instructions"]).Should().Contain("QA-778", "reviewers read the internal report").And.Contain("今后每班点检封口机", "and the reply they approve");
        await ApproveBothAsync(number);
        var callback = await OpenTaskAsync(number, "Call the customer back");
        ((string?)callback["role"]).Should().Be("ComplaintDesk");
        ((string?)callback["instructions"]).Should().Contain("复检合格").And.NotContain("QA-778");
        await AnswerCallbackAsync(callback, "xu.ting", 5, "满意，谢谢");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((int?)done["satisfaction"]).Should().Be(5);
        ((string?)done["status"]).Should().Be("Closed");
        ((int)done["reworkCount"]!).Should().Be(0);
        ((int)done["escalationLevel"]!).Should().Be(0);
        Actions(done).Should().ContainInOrder("Registered", "CustomerNotified", "Classified", "Assigned", "CustomerSatisfied", "CustomerNotified");
        var mails = await MailsAsync(3);
        mails.Select(m => m.Subject).Should().BeEquivalentTo([$"您的反馈已受理（{number}）", $"您的反馈处理进展（{number}）", $"您的反馈处理结果（{number}）"]);
        mails.Single(m => m.Subject!.Contains("进展")).TextBody.Should().Contain($"已制定整改方案，预计于 {Deadline} 前完成", "the plan's deadline")
            .And.NotContain("检查封口机", "the plan's measures are the department's own");
        mails.Single(m => m.Subject!.Contains("结果")).TextBody.Should().Contain("我们已下架批次 B20261018 并更换封口机密封圈，复检合格；今后每班点检封口机。")
            .And.NotContain("QA-778", "the internal report stays inside").And.NotContain("李伟").And.NotContain("What we");
    }

    [Fact]
    public async Task A_customer_who_cannot_be_reached_gets_the_written_reply_and_counts_as_unrated()
    {
        var number = await SubmitComplaintAsync();
        await PlanAndRectifyAsync(number, "已下架批次 B20261018，复检合格。");
        await ApproveBothAsync(number);

        await CompleteAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", "Record",
            new JsonObject { ["Rating"] = "Not reached", ["CustomerComment"] = "三次来电均无人接听" });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        done["satisfaction"].Should().BeNull("no answer is no rating, neither satisfied nor unsatisfied");
        Actions(done).Should().NotContain(["CustomerSatisfied", "CustomerUnsatisfied", "ReworkRequested", "Escalated"]);
        Actions(done).Last().Should().Be("CustomerNotified", "the written reply still goes out");
    }

    [Fact]
    public async Task A_review_flagged_malicious_is_closed_without_a_reply_and_its_open_task_withdrawn()
    {
        var number = await SubmitComplaintAsync();
        await OpenTaskAsync(number, "rectification plan");
        var instanceId = (string)(await CaseAsync(number))["workflowInstanceId"]!;

        // An event saying the flag was cleared changes nothing: the flow waits for the next one.
        var cleared = await Api.PostAsJsonAsync("/elsa/api/events/FeedbackFlagged/trigger", new JsonObject
        {
            ["workflowInstanceId"] = instanceId, ["input"] = new JsonObject { ["malicious"] = false, ["reason"] = "Never mind.", ["by"] = "xu.ting" },
        });
        cleared.EnsureSuccessStatusCode();
        await OpenTaskAsync(number, "rectification plan");

        var flagged = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/malicious", "xu.ting",
            new JsonObject { ["malicious"] = true, ["reason"] = "The order number belongs to another shop." });
        flagged.EnsureSuccessStatusCode();
        var instance = await Api.WaitForAsync(instanceId, "Finished", TimeSpan.FromSeconds(20));
        ((string?)instance["subStatus"]).Should().Be("Finished", await TrailAsync(number));

        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed");
        ((string?)done["maliciousReason"]).Should().Be("The order number belongs to another shop.");
        Actions(done).Should().ContainInOrder("FlaggedMalicious", "Closed", "TaskCancelled");
        (await OpenTasksAsync(number)).Should().BeEmpty();
        var clocks = (await Api.GetFromJsonAsync<JsonArray>($"/api/feedback/{number}/sla"))!;
        clocks.Should().NotBeEmpty().And.OnlyContain(c => (string?)c!["state"] == "Stopped");
        (await MailsAsync(1)).Should().ContainSingle("the acknowledgement only: a fake review gets no result mail");
    }

    [Fact]
    public async Task Rejected_reviews_send_the_rectification_back_with_the_reasons()
    {
        var number = await SubmitComplaintAsync();
        var owner = await PlanAndRectifyAsync(number, "已下架。");

        await CompleteAsync(await OpenTaskAsync(number, "department head"), "chen.jie", "Reject", new JsonObject { ["HeadComments"] = "缺少检测报告" });
        var again = await OpenTaskAsync(number, "Carry out");
        ((string?)again["instructions"]).Should().Contain("Latest from the department head: 缺少检测报告");
        await CompleteAsync(again, owner, "Done", new JsonObject { ["Report"] = "已下架，附检测报告。", ["CustomerReply"] = "已下架该批次，检测合格。" });
        await CompleteAsync(await OpenTaskAsync(number, "department head"), "chen.jie", "Approve", new JsonObject { ["HeadComments"] = "可以" });
        await CompleteAsync(await OpenTaskAsync(number, "complaint desk"), "xu.ting", "Reject", new JsonObject { ["DeskComments"] = "请说明如何防止再次发生" });
        var third = await OpenTaskAsync(number, "Carry out");
        ((string?)third["instructions"]).Should().Contain("Latest from the complaint desk: 请说明如何防止再次发生");
        await CompleteAsync(third, owner, "Done", new JsonObject { ["Report"] = "已下架，附检测报告；封口机每班点检。", ["CustomerReply"] = "已下架该批次，封口机每班点检。" });
        await ApproveBothAsync(number);
        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 4, "可以接受");

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((int)done["reworkCount"]!).Should().Be(0, "review rejections are not customer reworks");
        ((int?)done["satisfaction"]).Should().Be(4);
        (await MailsAsync(3)).Single(m => m.Subject!.Contains("结果")).TextBody.Should().Contain("封口机每班点检");
    }

    [Fact]
    public async Task The_chain_of_decisions_starts_with_the_department_head_even_after_deadlines_raised_the_case_to_management()
    {
        var number = await SubmitComplaintAsync();
        await PlanAndRectifyAsync(number, "已下架。");
        await ApproveBothAsync(number);
        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 2, "只道歉不够，要求赔偿");
        await PlanAndRectifyAsync(number, "已下架并赔偿两罐。");
        await ApproveBothAsync(number);
        await SetEscalationLevelAsync(number, 3);

        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 1, "还是不满意");

        var head = await OpenTaskAsync(number, "(department head)");
        ((string?)head["department"]).Should().Be("quality");
        ((int)(await CaseAsync(number))["escalationLevel"]!).Should().Be(3, "a case never goes down");
        await CompleteAsync(head, "chen.jie", "Resolve", new JsonObject { ["Resolution"] = "全额退款。" });
        await ShouldHaveFinishedAsync(number);
    }

    [Fact]
    public async Task A_customer_unsatisfied_twice_gets_one_more_rectification_then_the_case_climbs_the_chain_to_management()
    {
        var number = await SubmitComplaintAsync();
        await PlanAndRectifyAsync(number, "已下架。");
        await ApproveBothAsync(number);
        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 2, "只道歉不够，要求赔偿");

        var rework = await CaseAsync(number);
        ((int)rework["reworkCount"]!).Should().Be(1);
        ((string?)rework["status"]).Should().Be("InRectification");
        var secondPlan = await OpenTaskAsync(number, "rectification plan");
        ((string?)secondPlan["instructions"]).Should().Contain("只道歉不够，要求赔偿");
        await PlanAndRectifyAsync(number, "已下架并赔偿两罐。");
        await ApproveBothAsync(number);
        await AnswerCallbackAsync(await OpenTaskAsync(number, "Call the customer back"), "xu.ting", 1, "还是不满意");

        var head = await OpenTaskAsync(number, "(department head)");
        ((string?)head["title"]).Should().Contain("Unsatisfied customer");
        ((string?)head["instructions"]).Should().Contain("还是不满意", "the head deciding reads what the customer said");
        ((string?)head["department"]).Should().Be("quality");
        ((int)(await CaseAsync(number))["escalationLevel"]!).Should().Be(1);
        await CompleteAsync(head, "chen.jie", "Escalate", new JsonObject { ["Resolution"] = "超出部门权限" });
        var manager = await OpenTaskAsync(number, "(complaint desk manager)");
        await CompleteAsync(manager, "zhou.min", "Escalate", new JsonObject { ["Resolution"] = "需要管理层批准赔偿" });
        var management = await OpenTaskAsync(number, "(management)");
        ((string?)management["role"]).Should().Be("Management");
        await CompleteAsync(management, "ma.jun", "Resolve", new JsonObject { ["Resolution"] = "全额退款并上门致歉。" });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((int)done["escalationLevel"]!).Should().Be(3);
        ((int)done["reworkCount"]!).Should().Be(1);
        ((int?)done["satisfaction"]).Should().Be(1);
        Actions(done).Should().ContainInOrder("ReworkRequested", "CustomerUnsatisfied", "Escalated", "Escalated", "Escalated", "CustomerNotified");
        var escalations = done["history"]!.AsArray().Where(h => (string?)h!["action"] == "Escalated").ToList();
        escalations.Select(h => (string?)h!["actor"]).Should().Equal("xu.ting", "chen.jie", "zhou.min");
        ((string?)escalations[1]!["details"]).Should().Contain("The department head passed it on: 超出部门权限");
        var mails = await MailsAsync(7);
        MailsTo("chen.jie@example.com").Should().ContainSingle().Which.TextBody.Should().Contain("what they said is on the case")
            .And.NotContain("还是不满意", "the escalation's reason is kept in the append-only history, so the customer's words stay out of it");
        done["history"]!.ToJsonString().Should().NotContain("还是不满意");
        MailsTo("zhou.min@example.com").Should().ContainSingle();
        MailsTo("ma.jun@example.com").Should().ContainSingle().Which.TextBody.Should().Contain("需要管理层批准赔偿");
        MailsTo(Customer).Single(m => m.Subject!.Contains("结果")).TextBody.Should().Contain("全额退款并上门致歉。").And.Contain("已下架并赔偿两罐。");
        mails.Should().HaveCount(7, "the acknowledgement, the plan's progress twice, three escalations and the result");
    }

    [Fact]
    public async Task An_anonymous_review_skips_the_callback_and_sends_no_mail()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true,
            ["content"] = "罐头胀罐了，打开有酸臭味。",
        });
        await PlanAndRectifyAsync(number, "已下架。");
        await ApproveBothAsync(number);

        await ShouldHaveFinishedAsync(number);
        (await OpenTasksAsync(number)).Should().BeEmpty();
        var done = await CaseAsync(number);
        Actions(done).Should().NotContain("CustomerSatisfied").And.NotContain("CustomerNotified");
        ((string?)done["status"]).Should().Be("Closed", "with nobody to reply to, the reply step closes the case");
        Actions(done).Last().Should().Be("ClosedWithoutReply");
        done["satisfaction"].Should().BeNull();
        await Task.Delay(1500);
        (await MailsAsync(0)).Should().BeEmpty("an anonymous customer cannot be written to");
    }

    [Fact]
    public async Task An_anonymous_platform_review_is_answered_on_the_platform_by_the_complaint_desk()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "ECommerceReview", ["anonymous"] = true,
            ["content"] = "罐头胀罐了，打开有酸臭味。差评！",
        });
        await PlanAndRectifyAsync(number, "已下架。");
        await ApproveBothAsync(number);

        var written = (await OpenTasksAsync(number)).Should().ContainSingle().Subject;
        ((string?)written["title"]).Should().StartWith("Send the customer the written reply");
        ((string?)written["instructions"]).Should().Contain("已下架。", "the reply to post is on the task");
        await CompleteAsync(written, "xu.ting", "Record", new JsonObject { ["ReplyChannel"] = "Review platform", ["ReplyNote"] = "Answered under the review." });

        await ShouldHaveFinishedAsync(number);
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Replied", "the platform answer is the written reply");
        Actions(done).Last().Should().Be("RepliedInWriting");
        Actions(done).Should().NotContain("ClosedWithoutReply");
    }
}
