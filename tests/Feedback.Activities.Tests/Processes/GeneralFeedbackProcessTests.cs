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

/// <summary>The shipped general-feedback process, end to end through the HTTP API, with the example organisation and real mail.</summary>
public sealed class GeneralFeedbackProcessTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        _host = new TestHost(_db.ConnectionString)
        {
            ShippedFolder = shipped,
            OrganizationSeedFile = Path.Combine(shipped, "directory", "example-organization.json"),
            SmtpPort = _smtp.Port,
        };
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<string> SubmitAsync(JsonObject body)
    {
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    private async Task<JsonObject> CaseAsync(string number) => (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;

    private async Task<JsonObject> OpenTaskAsync(string number)
    {
        var list = (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray();
        return list.Should().ContainSingle("exactly one step waits at a time").Subject!.AsObject();
    }

    private async Task CompleteAsync(JsonObject task, string user, string action, JsonObject? values = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{task["id"]}/complete")
        {
            Content = JsonContent.Create(new JsonObject { ["action"] = action, ["values"] = values ?? new JsonObject() }),
        };
        request.Headers.Add("X-Staff-User", user);
        request.Headers.Add("Idempotency-Key", $"{task["id"]}-{action}");
        var response = await _api.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task AnswerSurveyAsync(string number, int rating)
    {
        var instance = await _api.InstanceAsync((string)(await CaseAsync(number))["workflowInstanceId"]!);
        var bookmark = instance["workflowState"]!["bookmarks"]!.AsArray().Single(b => (string?)b!["name"] == CustomerSurvey.Stimulus)!;
        await _host.Services.GetRequiredService<SurveyService>().AnswerAsync((string)bookmark["id"]!, rating, null, CancellationToken.None);
    }

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
        alert.Subject.Should().StartWith($"For your attention: {number}");
        alert.TextBody.Should().Contain("Food safety").And.Contain("it was not escalated");
        // Production helps quality with product-quality cases: its head hears who is responsible.
        var helperNotice = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "HelperNotice")).Single();
        helperNotice.To.Mailboxes.Select(m => m.Address).Should().Equal("wu.lei@example.com");
        helperNotice.TextBody.Should().Contain($"Your department (production) helps with case {number}. quality leads it and {owner} is responsible")
            .And.Contain("王**").And.NotContain("wang@example.cn");
        var plan = await OpenTaskAsync(number);
        ((string?)plan["assignee"]).Should().Be(owner);
        var planClock = await ClockAsync(number, "Plan");
        ((string?)planClock["target"]).Should().Be(TimeSpan.FromHours(8).ToString("c"), "severity A plans within one working day of the example calendar");
        plan["dueAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(planClock["dueAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromSeconds(1));
        await CompleteAsync(plan, owner, "Submit", new JsonObject { ["Measures"] = "下架批次 B20261018，检查封口机", ["Deadline"] = "2026-11-30", ["Goal"] = "无同类投诉" });
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "已下架并更换封口机密封圈" });
        await CompleteAsync(await OpenTaskAsync(number), "chen.jie", "Reject", new JsonObject { ["HeadComments"] = "缺少检测报告" });
        var rework = await OpenTaskAsync(number);
        ((string?)rework["title"]).Should().Contain("Carry out");
        ((string?)rework["instructions"]).Should().Contain("Latest from the department head: 缺少检测报告.");
        await CompleteAsync(rework, owner, "Done", new JsonObject { ["Report"] = "已下架批次 B20261018，更换封口机密封圈，附检测报告：复检合格。" });
        await CompleteAsync(await OpenTaskAsync(number), "chen.jie", "Approve");
        await CompleteAsync(await OpenTaskAsync(number), "xu.ting", "Approve");
        await AnswerSurveyAsync(number, 5);

        var done = await CaseAsync(number);
        var instance = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{done["workflowInstanceId"]}"))!;
        ((string?)instance["subStatus"]).Should().Be("Finished", instance["workflowState"]!["incidents"]!.ToJsonString());

        var journal = (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{done["workflowInstanceId"]}/journal?take=500"))!["items"]!.AsArray();
        var trail = string.Join(" | ", journal.Select(j => $"{j!["activityId"]}:{j["eventName"]}:{j["message"]}:{j["payload"]?.ToJsonString()}").TakeLast(12));
        var mails = await _smtp.WaitForAsync(3, TimeSpan.FromSeconds(15), SmtpSink.NotTaskMailOrNotice);
        mails.Select(m => m.Subject).Should().BeEquivalentTo([$"您的反馈已受理（{number}）", $"请评价我们的处理（{number}）", $"您的反馈处理结果（{number}）"], trail);
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
        ((string?)done["history"]!.AsArray().Last(h => (string?)h!["action"] == "Closed")!["details"]).Should().StartWith("A positive review (JD review, 5 of 5): recorded");
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

        await CompleteAsync(task, "xu.ting", "Classify", new JsonObject { ["ManualCategory"] = "DeliveryLogistics" });

        var classified = await CaseAsync(number);
        ((string?)classified["category"], (string?)classified["leadDepartment"]).Should().Be(("DeliveryLogistics", "logistics"));
        (await ClockAsync(number, "Classification"))["state"]!.GetValue<string>().Should().Be("Stopped");
        classified["history"]!.AsArray().Select(h => (string?)h!["action"]).Should().ContainInOrder("ClassificationUncertain", "TaskCompleted", "Assigned");
    }

    [Fact]
    public async Task When_the_only_member_is_the_person_complained_about_the_complaint_desk_manager_chooses_who_plans_and_the_process_goes_on()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = "ann@example.com", ["complainedAbout"] = "song.yu",
            ["content"] = "The parcel arrived four days late and the box was crushed; the courier threw it over the gate.",
        });
        var unassigned = await CaseAsync(number);
        ((string?)unassigned["leadDepartment"], unassigned["owner"]).Should().Be(("logistics", null), "the department leads the case while nobody in it can take it");

        var choose = await OpenTaskAsync(number);
        ((string?)choose["title"]).Should().Be("Nobody is eligible: choose who handles this case");
        ((string?)choose["assignee"], (string?)choose["role"]).Should().Be((null, "ComplaintDeskManager"));
        await CompleteAsync(choose, "zhou.min", "Assign", new JsonObject { ["ChosenOwner"] = "song.yu" });

        var again = await OpenTaskAsync(number);
        ((string?)again["title"]).Should().Be("Nobody is eligible: choose who handles this case");
        ((string?)again["instructions"]).Should().Contain("song.yu cannot take it");
        await CompleteAsync(again, "zhou.min", "Assign", new JsonObject { ["ChosenOwner"] = "liu.yang" });

        var plan = await OpenTaskAsync(number);
        ((string?)plan["title"], (string?)plan["assignee"]).Should().Be(("Submit a rectification plan", "liu.yang"));
        var assigned = await CaseAsync(number);
        ((string?)assigned["owner"], (string?)assigned["leadDepartment"], (string?)assigned["status"]).Should().Be(("liu.yang", "logistics", "Assigned"));
        assigned["history"]!.AsArray().Select(h => (string?)h!["action"]).Should().ContainInOrder("NoEligibleAssignee", "NoEligibleAssignee", "Assigned");
    }

    [Fact]
    public async Task The_person_complained_about_must_be_in_the_directory_and_sees_neither_the_case_nor_its_tasks()
    {
        var unknown = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["complainedAbout"] = "the rude one", ["content"] = "The agent was rude.",
        });
        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("complainedAbout: 'the rude one' is not a user name in the staff directory");

        // Named in another letter case, the member is found and kept as the directory spells them.
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com", ["complainedAbout"] = " Lin.Fang ",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var task = await OpenTaskAsync(number);
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            (await db.Cases.SingleAsync(c => c.Number == number)).ComplainedAbout.Should().Be("lin.fang");

        // lin.fang heads customer service, the lead department, yet reads neither the case nor its tasks; a colleague does.
        async Task<HttpResponseMessage> GetAs(string user, string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Staff-User", user);
            return await _api.SendAsync(request);
        }
        var refused = await GetAs("lin.fang", $"/api/feedback/{number}");
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("the feedback is about them");
        (await GetAs("lin.fang", $"/api/tasks/{task["id"]}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await (await GetAs("lin.fang", $"/api/tasks?caseNumber={number}")).Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Should().BeEmpty();
        (await GetAs("liu.yang", $"/api/feedback/{number}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await GetAs("liu.yang", $"/api/tasks?caseNumber={number}")).Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task The_complaint_desk_names_whom_the_feedback_is_about_after_registration_and_they_are_kept_out_from_then_on()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var plan = await OpenTaskAsync(number);
        var owner = (string)plan["assignee"]!;
        var other = owner == "liu.yang" ? "wang.lei" : "liu.yang";
        async Task<HttpResponseMessage> NameAs(string by, string? user, string? reason)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/complained-about")
            {
                Content = JsonContent.Create(new JsonObject { ["user"] = user, ["reason"] = reason }),
            };
            request.Headers.Add("X-Staff-User", by);
            return await _api.SendAsync(request);
        }
        async Task<HttpStatusCode> ReadAs(string user, string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Staff-User", user);
            return (await _api.SendAsync(request)).StatusCode;
        }

        (await NameAs(other, other, "Named by a colleague")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "staff do not judge this; the complaint desk does");
        (await NameAs("xu.ting", "nobody.here", "The customer said so")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await NameAs("xu.ting", other, " ")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var responsible = await NameAs("xu.ting", owner, "The customer named the agent on the phone.");
        responsible.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await responsible.Content.ReadAsStringAsync()).Should().Contain($"{owner} is responsible for {number}");
        (await ReadAs(other, $"/api/feedback/{number}")).Should().Be(HttpStatusCode.OK, "before it is known, the colleague reads their department's case");

        var named = await NameAs("xu.ting", other.ToUpperInvariant(), "The customer named the agent on the phone.");
        named.StatusCode.Should().Be(HttpStatusCode.OK, await named.Content.ReadAsStringAsync());
        ((bool)(await named.Content.ReadFromJsonAsync<JsonObject>())!["changed"]!).Should().BeTrue();
        (await ReadAs(other, $"/api/feedback/{number}")).Should().Be(HttpStatusCode.Forbidden);
        (await ReadAs(other, $"/api/tasks/{plan["id"]}")).Should().Be(HttpStatusCode.Forbidden);
        (await ActAsync($"/api/tasks/{plan["id"]}/reassign", owner, new JsonObject { ["to"] = other, ["reason"] = "Busy" }))
            .Should().Be(HttpStatusCode.BadRequest, "the open task now keeps them out too");
        ((bool)(await (await NameAs("xu.ting", other, "Again")).Content.ReadFromJsonAsync<JsonObject>())!["changed"]!).Should().BeFalse();

        var history = (await CaseAsync(number))["history"]!.AsArray();
        var line = history.Single(h => (string?)h!["action"] == "ComplainedAboutNamed")!;
        ((string?)line["actor"]).Should().Be("xu.ting");
        ((string?)line["details"]).Should().Contain("The customer named the agent on the phone.").And.NotContain(other);
    }

    private async Task<JsonObject> ClockAsync(string number, string name) =>
        (await _api.GetFromJsonAsync<JsonArray>($"/api/feedback/{number}/sla"))!.Single(c => (string?)c!["name"] == name)!.AsObject();

    [Fact]
    public async Task An_anonymous_complaint_about_a_staff_member_never_reaches_that_person_and_sends_no_mail()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["complainedAbout"] = "wang.lei",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });

        var feedback = await CaseAsync(number);
        ((string?)feedback["category"]).Should().Be("ServiceAttitude");
        ((string?)feedback["owner"]).Should().Be("liu.yang");
        ((string?)(await OpenTaskAsync(number))["assignee"]).Should().Be("liu.yang");
        await Task.Delay(1500);
        _smtp.Messages(SmtpSink.NotTaskMail).Should().BeEmpty();
        _smtp.Messages().Should().OnlyContain(m => m.To.Mailboxes.All(b => b.Address != "wang.lei@example.com"), "the person complained about gets no task mail either");
    }

    [Fact]
    public async Task A_complaint_about_the_department_head_sends_its_review_up_and_keeps_the_head_and_the_rectifier_out_of_every_review()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com", ["complainedAbout"] = "lin.fang",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var owner = (string)(await CaseAsync(number))["owner"]!;
        owner.Should().Be("liu.yang");
        await CompleteAsync(await OpenTaskAsync(number), owner, "Submit", new JsonObject { ["Measures"] = "Coaching", ["Deadline"] = "2026-12-01", ["Goal"] = "No repeat" });
        var mailsBefore = _smtp.Messages().Count;
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "Coached the team" });

        var headReview = await OpenTaskAsync(number);
        ((string?)headReview["title"]).Should().Contain("department head");
        ((string?)headReview["role"], headReview["department"]).Should().Be(("ComplaintDeskManager", null),
            "nobody else heads customer service, so the review goes up to the complaint desk manager as an escalation would");
        ((string?)headReview["instructions"]).Should().StartWith("No one of role DepartmentHead in customer-service can do this task now");
        (await ActAsync($"/api/tasks/{headReview["id"]}/complete", "lin.fang", new JsonObject { ["action"] = "Approve" }))
            .Should().Be(HttpStatusCode.Forbidden, "the head is the person complained about and may not review the case");
        (await ActAsync($"/api/tasks/{headReview["id"]}/reassign", "zhou.min", new JsonObject { ["to"] = "lin.fang", ["reason"] = "Head of the department" }))
            .Should().Be(HttpStatusCode.BadRequest, "nobody can hand the review to the person complained about");
        (await ActAsync($"/api/tasks/{headReview["id"]}/reassign", "zhou.min", new JsonObject { ["to"] = owner, ["reason"] = "Knows the case" }))
            .Should().Be(HttpStatusCode.BadRequest, "whoever rectified the case may not review it");
        (await ActAsync($"/api/tasks/{headReview["id"]}/reassign", "zhou.min", new JsonObject { ["to"] = "ma.jun", ["reason"] = "The head is the subject of the complaint" }))
            .Should().Be(HttpStatusCode.OK);
        await CompleteAsync(await OpenTaskAsync(number), "ma.jun", "Approve");

        var deskReview = await OpenTaskAsync(number);
        ((string?)deskReview["title"]).Should().Contain("complaint desk");
        (await ActAsync($"/api/tasks/{deskReview["id"]}/reassign", "zhou.min", new JsonObject { ["to"] = owner, ["reason"] = "Knows the case" }))
            .Should().Be(HttpStatusCode.BadRequest);
        await CompleteAsync(await OpenTaskAsync(number), "xu.ting", "Approve");

        await Task.Delay(1000);
        _smtp.Messages().Skip(mailsBefore).Should().OnlyContain(m => m.To.Mailboxes.All(b => b.Address != "lin.fang@example.com"),
            "the review task is not mailed to the person complained about");
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray().Should().BeEmpty("the desk's approval ends the process");
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
        await CompleteAsync(answer, owner, "Done", new JsonObject { ["Answer"] = "Called her back; the batch is withdrawn." });

        await using (var scope = _host.Services.CreateAsyncScope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            await db.Cases.Where(c => c.Number == number).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CaseStatus.Replied));
        (await intake.AcceptAsync(Reply("reply-2", "It happened again with a new can."), default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);
        var open = (await AnswerTasksAsync(number)).Where(t => (string?)t["status"] == "Open").ToList();
        var desk = open.Should().ContainSingle().Subject;
        ((string?)desk["assignee"]).Should().BeNull();
        ((string?)desk["role"], (string?)desk["department"]).Should().Be(("ComplaintDesk", "complaint-desk"), "a replied case is finished: no one works on it any more");
    }

    [Fact]
    public async Task An_absent_heads_delegate_gets_the_heads_review_and_does_it_on_their_behalf_unless_the_delegate_rectified_the_case()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "The peach can was swollen and the syrup smelt sour.",
            ["product"] = new JsonObject { ["name"] = "Yellow peach 425g" },
        });
        var owner = (string)(await CaseAsync(number))["owner"]!;
        var absences = _host.Services.GetRequiredService<AbsenceService>();
        var now = DateTimeOffset.UtcNow;
        await absences.SetAsync("chen.jie", now.AddHours(-1), now.AddDays(2), "wu.lei", default);
        await CompleteAsync(await OpenTaskAsync(number), owner, "Submit", new JsonObject { ["Measures"] = "Withdraw the batch", ["Deadline"] = "2026-12-31", ["Goal"] = "No repeat" });
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "Batch withdrawn." });
        var review = await OpenTaskAsync(number);
        ((string?)review["role"], (string?)review["department"]).Should().Be(("DepartmentHead", "quality"));
        static bool ReviewMail(MimeKit.MimeMessage m) => !SmtpSink.NotTaskMail(m) && m.Subject?.Contains("(department head)") == true;
        var mailed = await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), ReviewMail);
        mailed.SelectMany(m => m.To.Mailboxes).Select(b => b.Address).Should().ContainSingle().Which.Should().StartWith("wu.lei", "the absent head's mail goes to the delegate");

        await absences.SetAsync("chen.jie", now.AddHours(-1), now.AddDays(2), owner, default);
        (await ActAsync($"/api/tasks/{review["id"]}/complete", owner, new JsonObject { ["action"] = "Approve", ["values"] = new JsonObject() }))
            .Should().Be(HttpStatusCode.Forbidden, "a delegate who rectified the case may not review it either");

        await absences.SetAsync("chen.jie", now.AddHours(-1), now.AddDays(2), "wu.lei", default);
        await CompleteAsync(review, "wu.lei", "Approve");
        (await CaseAsync(number))["history"]!.AsArray().Select(h => (string?)h!["details"])
            .Should().Contain(d => d != null && d.Contains("wu.lei") && d.Contains("on behalf of chen.jie"));
        ((string?)(await OpenTaskAsync(number))["title"]).Should().Contain("complaint desk", "the review moved on");
    }

    private async Task<List<JsonObject>> AnswerTasksAsync(string number) =>
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}"))!["items"]!.AsArray()
            .Select(t => t!.AsObject()).Where(t => (string?)t["title"] == "Answer the customer's new message").ToList();

    private async Task<HttpStatusCode> ActAsync(string path, string user, JsonObject body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Staff-User", user);
        return (await _api.SendAsync(request)).StatusCode;
    }
}
