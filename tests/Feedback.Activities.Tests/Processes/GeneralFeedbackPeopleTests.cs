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

/// <summary>Who may handle, see and review a case in the shipped general-feedback process: the person complained about, nobody eligible, absences.</summary>
public sealed class GeneralFeedbackPeopleTests : GeneralFeedbackHarness
{
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
    public async Task The_person_complained_about_is_found_in_the_directory_and_sees_neither_the_case_nor_its_tasks()
    {
        // A name the directory does not know is answered like a known one (the public route tells nobody who works
        // here) and goes into the text for the complaint desk, as on the web form.
        var unknown = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["anonymous"] = true, ["complainedAbout"] = "the rude one", ["content"] = "The agent was rude.", ["language"] = "en",
        });
        unknown.StatusCode.Should().Be(HttpStatusCode.Created, await unknown.Content.ReadAsStringAsync());
        var unknownNumber = (string)(await unknown.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.Cases.SingleAsync(c => c.Number == unknownNumber);
            stored.ComplainedAbout.Should().BeNull();
            stored.Content.Should().Be("The agent was rude.\n\n(Staff member named by the customer on the form: the rude one)");
        }

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
        // The colleague planning it (the unknown name's case came first, so it is whoever that one left least loaded).
        var colleague = (string)task["assignee"]!;
        colleague.Should().NotBe("lin.fang");
        (await GetAs(colleague, $"/api/feedback/{number}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await GetAs(colleague, $"/api/tasks?caseNumber={number}")).Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Should().ContainSingle();
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

    [Fact]
    public async Task Naming_whom_the_feedback_is_about_waits_for_a_running_step_and_then_sees_what_it_did()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var owner = (string)(await OpenTaskAsync(number))["assignee"]!;
        var other = owner == "liu.yang" ? "wang.lei" : "liu.yang";
        var instanceId = (string)(await CaseAsync(number))["workflowInstanceId"]!;

        // A step of the case's workflow is running: it holds the instance, and is about to make `other` responsible.
        await using var step = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        await using var running = await step.Database.BeginTransactionAsync();
        await step.Database.ExecuteSqlAsync($"SELECT 1 FROM workflow_instances WHERE id = {instanceId} FOR UPDATE");

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/complained-about")
        {
            Content = JsonContent.Create(new JsonObject { ["user"] = other, ["reason"] = "The customer named the agent on the phone." }),
        };
        request.Headers.Add("X-Staff-User", "xu.ting");
        var naming = _api.SendAsync(request);
        (await Task.WhenAny(naming, Task.Delay(TimeSpan.FromSeconds(1)))).Should().NotBeSameAs(naming, "naming waits for the running step");

        await step.Database.ExecuteSqlAsync($"UPDATE feedback_cases SET owner = {other} WHERE number = {number}");
        await running.CommitAsync();
        var response = await naming;
        response.StatusCode.Should().Be(HttpStatusCode.Conflict, "the step made them responsible before the name was known");
        (await response.Content.ReadAsStringAsync()).Should().Contain($"{other} is responsible for {number}");
        ((string?)(await CaseAsync(number))["complainedAbout"]).Should().BeNull();
    }

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
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "Coached the team", ["CustomerReply"] = "Coached the team" });

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
    public async Task A_case_changes_hands_with_its_open_task_and_the_flow_gives_the_new_owner_the_next_one()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var first = (string)(await CaseAsync(number))["owner"]!;
        var second = first == "liu.yang" ? "wang.lei" : "liu.yang";
        var plan = await OpenTaskAsync(number);
        ((string?)plan["assignee"]).Should().Be(first);

        (await ActAsync($"/api/feedback/{number}/owner", first, new JsonObject { ["to"] = second, ["reason"] = "Handing over." }))
            .Should().Be(HttpStatusCode.Forbidden, "staff do not hand cases around themselves");
        (await ActAsync($"/api/feedback/{number}/owner", "xu.ting", new JsonObject { ["to"] = second }))
            .Should().Be(HttpStatusCode.BadRequest, "a change of hands needs a reason");
        (await ActAsync($"/api/feedback/{number}/owner", "lin.fang", new JsonObject { ["to"] = second, ["reason"] = "The customer named the agent on the phone." }))
            .Should().Be(HttpStatusCode.OK, "the lead department's head may give the case to another member");

        var moved = await OpenTaskAsync(number);
        ((string?)moved["id"], (string?)moved["assignee"]).Should().Be(((string?)plan["id"], second), "the open plan moves with the case");
        var changed = await CaseAsync(number);
        ((string?)changed["owner"]).Should().Be(second);
        var line = changed["history"]!.AsArray().Last(h => (string?)h!["action"] == "OwnerChanged")!;
        ((string?)line["actor"], (string?)line["details"]).Should().Be(("lin.fang",
            $"Responsible: {second} instead of {first}. Open tasks moved with it: '{plan["title"]}'. The customer named the agent on the phone."));
        (await ActAsync($"/api/feedback/{number}/complained-about", "xu.ting", new JsonObject { ["user"] = first, ["reason"] = "Named on the phone." }))
            .Should().Be(HttpStatusCode.OK, "once the case has changed hands, the former owner can be named");

        await CompleteAsync(moved, second, "Submit", new JsonObject { ["Measures"] = "Coaching", ["Deadline"] = "2026-12-01", ["Goal"] = "No repeat" });
        ((string?)(await OpenTaskAsync(number))["assignee"]).Should().Be(second, "the rectification goes to whoever is responsible now, not to the assignment's choice");
        (await ActAsync($"/api/feedback/{number}/owner", "xu.ting", new JsonObject { ["to"] = first, ["reason"] = "Back." }))
            .Should().Be(HttpStatusCode.BadRequest, "the feedback is about them now");
    }

    [Fact]
    public async Task Whoever_did_the_department_heads_review_may_not_also_do_the_complaint_desks()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerEmail"] = "tan@example.com", ["complainedAbout"] = "lin.fang",
            ["content"] = "The customer service agent was rude and hung up on me twice.",
        });
        var owner = (string)(await CaseAsync(number))["owner"]!;
        await CompleteAsync(await OpenTaskAsync(number), owner, "Submit", new JsonObject { ["Measures"] = "Coaching", ["Deadline"] = "2026-12-01", ["Goal"] = "No repeat" });
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "Coached the team", ["CustomerReply"] = "Coached the team" });
        // The head is the person complained about, so their review went up to the complaint desk manager, who is also on the desk.
        await CompleteAsync(await OpenTaskAsync(number), "zhou.min", "Approve");

        var deskReview = await OpenTaskAsync(number);
        ((string?)deskReview["title"]).Should().Contain("complaint desk");
        (await ActAsync($"/api/tasks/{deskReview["id"]}/complete", "zhou.min", new JsonObject { ["action"] = "Approve" }))
            .Should().Be(HttpStatusCode.Forbidden, "the second review is a second person's");
        await CompleteAsync(deskReview, "xu.ting", "Approve");
        (await _api.GetFromJsonAsync<JsonObject>($"/api/tasks?caseNumber={number}&status=Open"))!["items"]!.AsArray().Should().BeEmpty();
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
        await CompleteAsync(await OpenTaskAsync(number), owner, "Done", new JsonObject { ["Report"] = "Batch withdrawn.", ["CustomerReply"] = "Batch withdrawn." });
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
}
