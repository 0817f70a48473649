using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Intake.Mail;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Surveys;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tests.Processes;

/// <summary>The shipped general-feedback process, end to end through the HTTP API: intake to the written reply, flags, routes and later mail.</summary>
public sealed class GeneralFeedbackProcessTests : GeneralFeedbackHarness
{
    [Fact]
    public async Task A_swollen_can_complaint_runs_from_intake_through_review_and_rework_to_the_written_reply()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = "wang@example.cn", ["language"] = "zh-CN",
            ["content"] = "昨天在超市买的红烧猪肉罐头胀罐了，罐盖鼓起来，打开有一股酸臭味，孩子差点吃了。要求退货并给个说法。",
            ["product"] = new JsonObject { ["name"] = "红烧猪肉罐头 397g", ["batchOrSerial"] = "B20261018" },
        });

        var feedback = await CaseAsync(number);
        ((string?)feedback["category"]).Should().Be("ProductQuality");
        ((string?)feedback["severity"]).Should().Be("A");
        ((bool)feedback["foodSafety"]!).Should().BeTrue();
        ((string?)feedback["leadDepartment"]).Should().Be("quality");
        var owner = (string)feedback["owner"]!;
        owner.Should().BeOneOf("li.wei", "zhang.hua");

        // Food safety: the complaint desk manager hears of it at once, and the plan is due on severity A's Plan target
        // (one working day from receipt), not the task's own two working days.
        ((int)feedback["escalationLevel"]!).Should().Be(0, "an alert is not an escalation");
        var alert = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Alert")).Single();
        alert.To.Mailboxes.Select(m => m.Address).Should().Equal("zhou.min@example.com");
        alert.Subject.Should().StartWith($"请关注：{number}", "staff mail is in the staff language, zh-CN by default");
        alert.TextBody.Should().Contain("Food safety").And.Contain("案件未升级");
        // Production helps quality with product-quality cases: its head hears who is responsible.
        var helperNotice = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "HelperNotice")).Single();
        helperNotice.To.Mailboxes.Select(m => m.Address).Should().Equal("wu.lei@example.com");
        // In the staff language (zh-CN by default), as the task mail.
        helperNotice.Subject.Should().Be($"贵部门协助处理案件 {number}（quality 牵头）");
        helperNotice.TextBody.Should().Contain($"贵部门（production）协助处理案件 {number}。由 quality 牵头，{owner} 负责制定并实施整改。")
            .And.Contain("王**").And.NotContain("wang@example.cn").And.Contain($"/staff/cases/{number}");
        var plan = await OpenTaskAsync(number);
        ((string?)plan["assignee"]).Should().Be(owner);
        var planClock = await ClockAsync(number, "Plan");
        ((string?)planClock["target"]).Should().Be(TimeSpan.FromHours(8).ToString("c"), "severity A plans within one working day of the example calendar");
        plan["dueAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(planClock["dueAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromSeconds(1));
        await CompleteAsync(plan, owner, "Submit", new JsonObject { ["Measures"] = "下架批次 B20261018，检查封口机", ["Deadline"] = "2026-11-30", ["Goal"] = "无同类投诉" });
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "已下架并更换封口机密封圈", ["CustomerReply"] = "已下架并更换封口机密封圈" });
        await CompleteAsync(await OpenTaskAsync(number), "chen.jie", "Reject", new JsonObject { ["HeadComments"] = "缺少检测报告" });
        var rework = await OpenTaskAsync(number);
        ((string?)rework["title"]).Should().Contain("Carry out");
        ((string?)rework["instructions"]).Should().Contain("Latest from the department head: 缺少检测报告.");
        await CompleteAsync(rework, owner, "Done", new JsonObject { ["Report"] = "已下架批次 B20261018，更换封口机密封圈，附检测报告：复检合格。", ["CustomerReply"] = "已下架批次 B20261018，更换封口机密封圈，附检测报告：复检合格。" });
        await CompleteAsync(await OpenTaskAsync(number), "chen.jie", "Approve");
        await CompleteAsync(await OpenTaskAsync(number), "xu.ting", "Approve");
        await AnswerSurveyAsync(number, 5);

        var done = await CaseAsync(number);
        var instance = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{done["workflowInstanceId"]}"))!;
        ((string?)instance["subStatus"]).Should().Be("Finished", instance["workflowState"]!["incidents"]!.ToJsonString());

        var journal = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{done["workflowInstanceId"]}/journal?take=500"))!["items"]!.AsArray();
        var trail = string.Join(" | ", journal.Select(j => $"{j!["activityId"]}:{j["eventName"]}:{j["message"]}:{j["payload"]?.ToJsonString()}").TakeLast(12));
        var mails = await _smtp.WaitForAsync(4, TimeSpan.FromSeconds(15), SmtpSink.NotTaskMailOrNotice);
        mails.Select(m => m.Subject).Should().BeEquivalentTo([$"您的反馈已受理（{number}）", $"您的反馈处理进展（{number}）", $"请评价我们的处理（{number}）", $"您的反馈处理结果（{number}）"], trail);
        mails.Single(m => m.Subject?.Contains("结果") == true).TextBody.Should().Contain("复检合格");
        done["history"]!.AsArray().Select(h => (string?)h!["action"]).Should().ContainInOrder(
            "Registered", "CustomerNotified", "Classified", "Alerted", "Assigned", "HelpersNotified", "TaskCompleted", "TaskCompleted", "TaskCompleted", "TaskCompleted",
            "SurveySent", "SurveyAnswered", "CustomerSatisfied", "CustomerNotified");
    }

    [Fact]
    public async Task Feedback_flagged_as_false_is_closed_without_a_reply_and_its_open_task_withdrawn()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "赵先生", ["customerEmail"] = "zhao@example.cn", ["language"] = "zh-CN",
            ["content"] = "你们的罐头让我全家食物中毒，不赔十万就发到网上。", ["product"] = new JsonObject { ["name"] = "午餐肉罐头 340g" },
        });
        await OpenTaskAsync(number);

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/malicious")
        {
            Content = JsonContent.Create(new JsonObject { ["malicious"] = true, ["reason"] = "No such batch was ever made; the receipt is forged." }),
        };
        request.Headers.Add("X-Staff-User", "xu.ting");
        (await _api.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);

        var instanceId = (string)(await CaseAsync(number))["workflowInstanceId"]!;
        ((string?)(await _api.WaitForAsync(instanceId, "Finished", TimeSpan.FromSeconds(20)))["subStatus"]).Should().Be("Finished");
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed");
        var actions = done["history"]!.AsArray().Select(h => (string?)h!["action"]).ToList();
        actions.Should().ContainInOrder("FlaggedMalicious", "Closed", "TaskCancelled");
        actions.Count(a => a == "CustomerNotified").Should().Be(1, "the acknowledgement was the only customer mail");
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray().Should().BeEmpty();
        (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), SmtpSink.NotTaskMailOrNotice)).Should().ContainSingle("the acknowledgement only; no result mail");
    }

    [Fact]
    public async Task A_compliment_sent_through_the_web_form_is_recorded_as_praise_and_its_rectification_withdrawn()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "孙女士", ["customerEmail"] = "sun@example.cn", ["language"] = "zh-CN",
            ["content"] = "上周在门店买罐头，收银员特别耐心地帮我换了包装袋，服务态度非常好，谢谢你们。",
        });
        await OpenTaskAsync(number);

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/praise")
        {
            Content = JsonContent.Create(new JsonObject { ["praise"] = true, ["reason"] = "A thank-you for the cashier; nothing to put right." }),
        };
        request.Headers.Add("X-Staff-User", "xu.ting");
        (await _api.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);

        var instanceId = (string)(await CaseAsync(number))["workflowInstanceId"]!;
        ((string?)(await _api.WaitForAsync(instanceId, "Finished", TimeSpan.FromSeconds(20)))["subStatus"]).Should().Be("Finished");
        var done = await CaseAsync(number);
        ((string?)done["status"], (bool)done["praise"]!).Should().Be(("Closed", true));
        var history = done["history"]!.AsArray();
        history.Select(h => (string?)h!["action"]).Should().ContainInOrder("RecordedAsPraise", "Closed", "TaskCancelled");
        ((string?)history.Single(h => (string?)h!["action"] == "Closed")!["details"]).Should().StartWith("Recorded as praise by xu.ting: A thank-you for the cashier");
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray().Should().BeEmpty();
        (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), SmtpSink.NotTaskMailOrNotice)).Should().ContainSingle("the acknowledgement only; no result mail");

        // Closed as praise, the case keeps its mark: cleared, it would count as a complaint nobody handled.
        var clear = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/praise")
        {
            Content = JsonContent.Create(new JsonObject { ["praise"] = false, ["reason"] = "Changed my mind." }),
        };
        clear.Headers.Add("X-Staff-User", "xu.ting");
        (await _api.SendAsync(clear)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_five_star_review_naming_a_food_safety_risk_waits_for_the_complaint_desk_managers_check()
    {
        var csv = "platform,review_id,rating,content\nJD,r-10,5,\"味道很好，物流也快。不过有一罐胀罐了，打开有酸臭味。\"\n";
        var form = new MultipartFormDataContent { { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "reviews.csv" } };
        var result = (await (await _api.PostAsync("/api/feedback/import/reviews", form)).Content.ReadFromJsonAsync<JsonObject>())!;
        ((int)result["created"]!).Should().Be(1, result.ToJsonString());
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        var number = (await db.Cases.SingleAsync()).Number;

        var check = await OpenTaskAsync(number);
        ((string?)check["title"]).Should().Be("A positive review names a food-safety risk: check it");
        ((string?)check["role"]).Should().Be("ComplaintDeskManager");
        ((bool)(await CaseAsync(number))["praise"]!).Should().BeFalse("nothing is filed away before someone looked at the risk");
        await CompleteAsync(check, "zhou.min", "Checked", new JsonObject { ["Finding"] = "One swollen can from batch B7; entered as a complaint." });

        await _api.WaitForAsync((string)(await CaseAsync(number))["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));
        var done = await CaseAsync(number);
        ((string?)done["status"], (bool)done["praise"]!).Should().Be(("Closed", true));
    }

    [Fact]
    public async Task A_five_star_review_is_recorded_and_closed_with_nothing_to_rectify()
    {
        var csv = "platform,review_id,rating,content\nJD,r-9,5,\"罐头很好吃，物流也快，下次还买。\"\n";
        var form = new MultipartFormDataContent { { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "reviews.csv" } };
        var imported = await _api.PostAsync("/api/feedback/import/reviews", form);
        var result = (await imported.Content.ReadFromJsonAsync<JsonObject>())!;
        ((int)result["created"]!).Should().Be(1, result.ToJsonString());

        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        var number = (await db.Cases.SingleAsync()).Number;
        var instance = await _api.WaitForAsync((string)(await CaseAsync(number))["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));
        ((string?)instance["definitionId"]).Should().Be("positive-review");
        var done = await CaseAsync(number);
        ((string?)done["status"]).Should().Be("Closed");
        ((string?)done["category"]).Should().NotBeNull("with nobody to ask, the rules' best guess is kept for the figures");
        ((bool)done["praise"]!).Should().BeTrue("the reports count praise apart from complaints");
        ((string?)done["history"]!.AsArray().Last(h => (string?)h!["action"] == "RecordedAsPraise")!["details"]).Should().StartWith("A positive review (JD review, 5 of 5): recorded as praise");
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}"))!["items"]!.AsArray().Should().BeEmpty("praise needs no staff task");
    }

    [Fact]
    public async Task Feedback_closed_before_anyone_classified_or_took_it_stops_every_clock()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "李先生", ["customerEmail"] = "li@example.cn", ["content"] = "快递员态度恶劣",
        });
        ((string?)(await OpenTaskAsync(number))["title"]).Should().Be("Classify this feedback");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/malicious")
        {
            Content = JsonContent.Create(new JsonObject { ["malicious"] = true, ["reason"] = "A competitor's test message." }),
        };
        request.Headers.Add("X-Staff-User", "xu.ting");
        (await _api.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
        await _api.WaitForAsync((string)(await CaseAsync(number))["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(20));

        ((string?)(await CaseAsync(number))["status"]).Should().Be("Closed");
        var clocks = (await _api.GetFromJsonAsync<JsonArray>($"/api/feedback/{number}/sla"))!;
        clocks.Select(c => ((string?)c!["name"], (string?)c["state"])).Should().OnlyContain(c => c.Item2 == "Stopped", "a closed case has nothing left to measure");
        clocks.Select(c => (string?)c!["name"]).Should().Contain(["Classification", "Assignment", "Plan", "Resolution"]);
    }

    [Fact]
    public async Task Feedback_the_rules_cannot_classify_keeps_its_classification_clock_running_until_the_complaint_desk_chooses_the_category()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "李先生", ["customerEmail"] = "li@example.cn", ["content"] = "快递员态度恶劣",
        });

        var waiting = await CaseAsync(number);
        (waiting["category"], (string?)waiting["status"]).Should().Be((null, "Registered"), "the rules only guessed");
        (await ClockAsync(number, "Classification"))["state"]!.GetValue<string>().Should().Be("Running");
        var task = await OpenTaskAsync(number);
        ((string?)task["title"]).Should().Be("Classify this feedback");
        (await ActAsync($"/api/feedback/{number}/owner", "xu.ting", new JsonObject { ["to"] = "song.yu", ["reason"] = "Knows the courier." }))
            .Should().Be(HttpStatusCode.BadRequest, "before the assignment the flow would overwrite the choice");

        await CompleteAsync(task, "xu.ting", "Classify", new JsonObject { ["ManualCategory"] = "DeliveryLogistics", ["ManualFoodSafety"] = "No" });

        var classified = await CaseAsync(number);
        ((bool)classified["foodSafety"]!).Should().BeFalse();
        ((string?)classified["category"], (string?)classified["leadDepartment"]).Should().Be(("DeliveryLogistics", "logistics"));
        (await ClockAsync(number, "Classification"))["state"]!.GetValue<string>().Should().Be("Stopped");
        classified["history"]!.AsArray().Select(h => (string?)h!["action"]).Should().ContainInOrder("ClassificationUncertain", "TaskCompleted", "Assigned");
    }

    [Fact]
    public async Task A_food_safety_risk_the_rules_missed_is_marked_by_the_complaint_desk_and_goes_first_with_severity_a()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "李先生", ["customerEmail"] = "li@example.cn", ["content"] = "快递员态度恶劣",
        });
        var planTarget = (string)(await ClockAsync(number, "Plan"))["target"]!;
        var task = await OpenTaskAsync(number);
        ((string?)task["instructions"]).Should().Contain("food-safety risk");

        await CompleteAsync(task, "xu.ting", "Classify", new JsonObject { ["ManualCategory"] = "ProductQuality", ["ManualFoodSafety"] = "Yes" });

        var marked = await CaseAsync(number);
        ((bool)marked["foodSafety"]!).Should().BeTrue();
        ((string?)marked["severity"]).Should().Be("A");
        ((string?)marked["leadDepartment"]).Should().Be("quality");
        var line = marked["history"]!.AsArray().Single(h => (string?)h!["action"] == "FoodSafetyRiskRecorded")!;
        ((string?)line["actor"]).Should().Be("xu.ting");
        ((string?)(await ClockAsync(number, "Plan"))["target"]).Should().NotBe(planTarget, "severity A takes the policy's shorter targets");
        var alert = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Alert")).Single();
        alert.To.Mailboxes.Select(m => m.Address).Should().Equal("zhou.min@example.com");
    }

    [Fact]
    public async Task A_food_safety_risk_the_complaint_desk_marks_on_a_suggestion_goes_to_quality_with_severity_a_targets()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "李先生", ["customerEmail"] = "li@example.cn", ["content"] = "快递员态度恶劣",
        });

        await CompleteAsync(await OpenTaskAsync(number), "xu.ting", "Classify", new JsonObject { ["ManualCategory"] = "Suggestion", ["ManualFoodSafety"] = "Yes" });

        var marked = await CaseAsync(number);
        ((string?)marked["category"], (string?)marked["severity"], (string?)marked["leadDepartment"]).Should().Be(("ProductQuality", "A", "quality"),
            "as when the rules find the risk: quality handles it, whatever kind of feedback it came in as");
        ((string?)(await OpenTaskAsync(number))["assignee"]).Should().BeOneOf("li.wei", "zhang.hua");
        ((string?)(await ClockAsync(number, "Resolution"))["target"]).Should().Be("1.00:00:00",
            "severity A: three working days of the plant's 8-hour days, not a suggestion's fifteen");
    }

    [Fact]
    public async Task Intake_routes_send_reviews_to_the_rectification_process_and_staff_may_choose_the_product_problem_process()
    {
        var review = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "SocialMedia", ["anonymous"] = true, ["content"] = "Bought two cans, both dented and leaking. Never again.",
        });
        review.StatusCode.Should().Be(HttpStatusCode.Created, await review.Content.ReadAsStringAsync());
        var reviewed = (await review.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)reviewed["process"]).Should().Be("negative-review-rectification", "the example organisation routes review channels there");
        var instance = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{(await CaseAsync((string)reviewed["number"]!))["workflowInstanceId"]}"))!;
        ((string?)instance["definitionId"]).Should().Be("negative-review-rectification");

        var web = (await (await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "Please add a smaller can size.",
        })).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)web["process"]).Should().Be("general-feedback", "no route matches, so the default process runs");

        var entry = new JsonObject
        {
            ["enteredBy"] = "xu.ting", ["process"] = "product-problem",
            ["feedback"] = new JsonObject { ["channel"] = "Phone", ["customerName"] = "Mr Tan", ["customerPhone"] = "13800138000",
                ["content"] = "The ring-pull of the new can breaks off every time.", ["product"] = new JsonObject { ["name"] = "Easy-open can 340g" } },
        };
        var staff = await _api.PostAsJsonAsync("/api/feedback/staff-entry", entry);
        staff.StatusCode.Should().Be(HttpStatusCode.Created, await staff.Content.ReadAsStringAsync());
        ((string?)(await staff.Content.ReadFromJsonAsync<JsonObject>())!["process"]).Should().Be("product-problem");

        entry["process"] = "no-such-process";
        var wrong = await _api.PostAsJsonAsync("/api/feedback/staff-entry", entry);
        wrong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("no-such-process");

        var directory = (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!;
        directory["intake"]!.AsArray().Should().ContainSingle();
        directory["intake"] = new JsonArray(new JsonObject { ["channels"] = new JsonArray("Fax"), ["process"] = "general-feedback" });
        var badPut = await _api.PutAsJsonAsync("/api/admin/directory", directory);
        badPut.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badPut.Content.ReadAsStringAsync()).Should().Contain("'Fax' is not a channel");
        (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!["intake"]!.AsArray().Should().ContainSingle("a rejected directory changes nothing");

        directory["intake"] = new JsonArray(new JsonObject { ["withProduct"] = true, ["process"] = "no-such-process" });
        var unknownProcess = await _api.PutAsJsonAsync("/api/admin/directory", directory);
        unknownProcess.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknownProcess.Content.ReadAsStringAsync()).Should().Contain("intake[0].process: 'no-such-process' is not a published process");

        directory["intake"] = new JsonArray(new JsonObject { ["withProduct"] = true, ["process"] = "product-problem" });
        (await _api.PutAsJsonAsync("/api/admin/directory", directory)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var routed = (await (await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "The lid of the jar cannot be opened.", ["product"] = new JsonObject { ["name"] = "Jam 250g" },
        })).Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)routed["process"]).Should().Be("product-problem", "an edited route takes effect for the next case without a restart");
    }

    [Fact]
    public async Task A_customers_new_mail_goes_to_the_case_owner_once_and_after_the_written_reply_to_the_complaint_desk()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "Email", ["customerName"] = "Ms Lin", ["customerEmail"] = "lin@example.cn",
            ["content"] = "The luncheon meat can was dented and rusty at the seam.", ["product"] = new JsonObject { ["name"] = "Luncheon meat 340g" },
        });
        var owner = (string)(await CaseAsync(number))["owner"]!;
        var intake = _host.Services.GetRequiredService<MailIntakeService>();
        IncomingMail Reply(string key, string text) =>
            new(key, "Ms Lin", "lin@example.cn", $"Re: {number}", text, number, [], [], Automatic: false, SentAt: null);

        var first = Reply("reply-1", "Any news? The shop still sells that batch.");
        (await intake.AcceptAsync(first, default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);
        (await intake.AcceptAsync(first, default)).Kind.Should().Be(MailOutcomeKind.AlreadyHandled);
        var answers = await AnswerTasksAsync(number);
        var answer = answers.Should().ContainSingle("a mail handled twice raises its event once").Subject;
        ((string?)answer["assignee"]).Should().Be(owner, "the case is still open");
        ((string?)answer["instructions"]).Should().Contain("The shop still sells that batch.");
        await CompleteAsync(answer, owner, "Reply", new JsonObject { ["Answer"] = "That batch has been withdrawn from every shop; thank you for telling us." });
        var mailed = await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Progress");
        mailed.Single().To.Mailboxes.Single().Address.Should().Be("lin@example.cn");
        mailed.Single().TextBody.Should().Contain("That batch has been withdrawn from every shop", "Reply mails the owner's answer to the customer");

        await using (var scope = _host.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            await db.Cases.Where(c => c.Number == number).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CaseStatus.Replied));
        (await intake.AcceptAsync(Reply("reply-2", "It happened again with a new can."), default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);
        var open = (await AnswerTasksAsync(number)).Where(t => (string?)t["status"] == "Open").ToList();
        var desk = open.Should().ContainSingle().Subject;
        ((string?)desk["assignee"]).Should().BeNull();
        ((string?)desk["role"], (string?)desk["department"]).Should().Be(("ComplaintDesk", "complaint-desk"), "a replied case is finished: no one works on it any more");
        await CompleteAsync(desk, "xu.ting", "Done", new JsonObject { ["Answer"] = "Called her; registered the new can as a new complaint." });
        await Task.Delay(1000);
        _smtp.Messages(m => m.Headers["X-Feedback-Message"] == "Progress").Should().HaveCount(1, "Done records an answer given another way and mails nothing");
    }

    [Theory]
    [InlineData(30)] // later than the rectification may take
    [InlineData(-3)] // already past: a typo
    public async Task The_customer_is_promised_the_day_the_rectification_is_due_whatever_deadline_the_plan_names(int deadlineInDays)
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "Email", ["customerName"] = "Ms Kai", ["customerEmail"] = "kai@example.cn", ["language"] = "en",
            ["content"] = "The luncheon meat can was dented and rusty at the seam.", ["product"] = new JsonObject { ["name"] = "Luncheon meat 340g" },
        });
        var owner = (string)(await CaseAsync(number))["owner"]!;
        var deadline = DateTime.UtcNow.AddDays(deadlineInDays).ToString("yyyy-MM-dd");
        await CompleteAsync(await OpenTaskAsync(number), owner, "Submit", new JsonObject { ["Measures"] = "Check the seamer", ["Deadline"] = deadline, ["Goal"] = "No dented cans" });

        var rectification = await OpenTaskAsync(number);
        var due = rectification["dueAt"]!.GetValue<DateTimeOffset>();
        var progress = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Progress")).Single();
        // The example organisation's calendars are on China time; a due time at midnight ends the day before.
        var dueDay = TimeZoneInfo.ConvertTime(due.AddTicks(-1), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd");
        progress.TextBody.Should().Contain($"expects to be done by {dueDay}").And.NotContain(deadline);
    }
}
