using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>
/// Staff sign-in, inbox and entry pages over HTTP against the host on PostgreSQL, with password links read from a
/// real SMTP server.
/// </summary>
public sealed class StaffPagesTests : IAsyncLifetime
{
    private const string Password = "Tinned-peaches-2026";
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        var settings = LinkFlow.HostSettings(_smtp.Port, "http://localhost");
        settings["StaffSignIn:MaxFailedAttempts"] = "3";
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, settings);
        _api = _host.Api();
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
        await AddProcessOwnerAsync(_api);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_password_comes_through_a_single_use_mailed_link_and_wrong_passwords_lock_the_account()
    {
        // Only administrators and process owners issue links; a member without a password cannot sign in.
        (await RequestPasswordLinkAsync(_api, "li.wei", actingAs: null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await RequestPasswordLinkAsync(_api, "li.wei", actingAs: "chen.jie")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await RequestPasswordLinkAsync(_api, "nobody")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var browser = _host.Browser();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        (await SignInAsync(browser, "li.wei", Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var issued = await RequestPasswordLinkAsync(_api, "li.wei");
        issued.StatusCode.Should().Be(HttpStatusCode.Accepted, await issued.Content.ReadAsStringAsync());
        var mail = await _smtp.MailToAsync("li.wei@example.com", "密码");
        mail.Headers["X-Feedback-Message"].Should().Be("SetPassword");
        var link = LinkFlow.LinkIn(mail);

        // Opening the link (as a mail scanner would) changes nothing; a mismatched confirmation is refused and the link stays usable.
        var form = await browser.GetStringAsync(link);
        form.Should().Contain("li.wei").And.Contain("name=\"confirm\"");
        var mismatch = await browser.PostAsync(link, Form(Token(form), ("password", Password), ("confirm", Password + "x")));
        mismatch.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await mismatch.Content.ReadAsStringAsync()).Should().Contain("the two passwords differ");
        var tooShort = await browser.PostAsync(link, Form(Token(form), ("password", "short"), ("confirm", "short")));
        (await tooShort.Content.ReadAsStringAsync()).Should().Contain("at least 10 characters");
        var set = await browser.PostAsync(link, Form(Token(form), ("password", Password), ("confirm", Password)));
        set.StatusCode.Should().Be(HttpStatusCode.OK);
        (await set.Content.ReadAsStringAsync()).Should().Contain("Your password is set");

        // The link works once.
        var again = await browser.PostAsync(link, Form(Token(form), ("password", "Another-password-1"), ("confirm", "Another-password-1")));
        again.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await browser.GetAsync(link)).StatusCode.Should().Be(HttpStatusCode.Gone);

        // Wrong password: the same answer as an unknown name; the right one signs in with an HttpOnly, SameSite cookie.
        var wrong = await SignInAsync(browser, "li.wei", "Not-the-password-1");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("The user name or password is wrong.").And.Contain("value=\"li.wei\"");
        var signedIn = await SignInAsync(browser, "li.wei", Password);
        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signedIn.Headers.Location!.OriginalString.Should().Be("/staff");
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("feedback_staff=", StringComparison.Ordinal));
        cookie.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/staff");
        (await browser.GetStringAsync("/staff")).Should().Contain("Li Wei (li.wei)");

        // Signing out ends it: the inbox sends the browser to the sign-in page.
        var inbox = await browser.GetStringAsync("/staff");
        (await browser.PostAsync("/staff/sign-out", Form(Token(inbox)))).StatusCode.Should().Be(HttpStatusCode.OK);
        var after = await browser.GetAsync("/staff");
        after.StatusCode.Should().Be(HttpStatusCode.Redirect);
        after.Headers.Location!.OriginalString.Should().StartWith("/staff/sign-in");

        // Three wrong passwords in a row (the configured limit) lock the account, and then even the right one is refused.
        (await SignInAsync(browser, "li.wei", "Wrong-password-1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(browser, "li.wei", "Wrong-password-2")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var locked = await SignInAsync(browser, "li.wei", "Wrong-password-3");
        locked.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await locked.Content.ReadAsStringAsync()).Should().Contain("the account is locked until");
        (await SignInAsync(browser, "li.wei", Password)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        // A new password (a new link) lifts the lock and ends sessions signed in with the old one.
        var other = _host.Browser();
        await GivePasswordAsync(_api, _smtp, other, "chen.jie", Password);
        var chen = await SignedInAsync(_host, "chen.jie", Password);
        (await chen.GetAsync("/staff")).StatusCode.Should().Be(HttpStatusCode.OK);
        await GivePasswordAsync(_api, _smtp, other, "chen.jie", Password + "!");
        (await chen.GetAsync("/staff")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task The_inbox_shows_only_what_is_mine_or_my_departments_and_claims_and_reassigns_from_the_page()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        var colleague = assignee == "li.wei" ? "zhang.hua" : "li.wei";
        foreach (var user in new[] { assignee, colleague, "song.yu", "zhao.qiang" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        // Another department sees nothing of it and can do nothing with it.
        var outsider = await SignedInAsync(_host, "song.yu", Password);
        var outsiderInbox = await outsider.GetStringAsync("/staff?lang=en");
        outsiderInbox.Should().Contain("Song Yu").And.NotContain(number).And.NotContain(taskId);
        (await outsider.GetAsync($"/staff/tasks/{taskId}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var outsiderClaim = await outsider.PostAsync($"/staff/tasks/{taskId}/claim", Form(Token(outsiderInbox)));
        outsiderClaim.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var outsiderComplete = await outsider.PostAsync($"/staff/tasks/{taskId}", Form(Token(outsiderInbox), ("completion", "0123456789abcdef"), ("action", "Submit"),
            ("Measures", "x"), ("Deadline", "2026-12-15"), ("Goal", "x")));
        outsiderComplete.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await TaskAsync(taskId))["status"]!.GetValue<string>().Should().Be("Open");

        // The assignee has it under "my tasks"; the colleague sees it under the department's only, without a claim button.
        var mine = await SignedInAsync(_host, assignee, Password);
        var inbox = await mine.GetStringAsync("/staff?lang=en");
        Section(inbox, "mine").Should().Contain(number).And.Contain("Submit a rectification plan").And.Contain($"/staff/tasks/{taskId}/claim");
        var theirs = await SignedInAsync(_host, colleague, Password);
        var colleagueInbox = await theirs.GetStringAsync("/staff?lang=en");
        Section(colleagueInbox, "mine").Should().NotContain(taskId);
        Section(colleagueInbox, "department").Should().Contain(taskId).And.NotContain($"/staff/tasks/{taskId}/claim");
        (await theirs.PostAsync($"/staff/tasks/{taskId}/claim", Form(Token(colleagueInbox)))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var readOnly = await theirs.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        readOnly.Should().Contain($"You can read this task; {assignee} does it.").And.NotContain("name=\"Measures\"");

        // Production helps quality with product-quality cases: its members follow the case in a list of its own, read-only.
        var helper = await SignedInAsync(_host, "zhao.qiang", Password);
        var helperInbox = await helper.GetStringAsync("/staff?lang=en");
        Section(helperInbox, "helping").Should().Contain(taskId).And.Contain(number);
        Section(helperInbox, "department").Should().NotContain(taskId);
        (await helper.GetStringAsync($"/staff/tasks/{taskId}?lang=en")).Should().Contain("id=\"view-only\"").And.NotContain("name=\"Measures\"");

        // Claim from the page: back to the inbox, which says so; the case history has it under the assignee's name.
        var claimed = await mine.PostAsync($"/staff/tasks/{taskId}/claim?lang=en", Form(Token(inbox)));
        claimed.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await mine.GetStringAsync(claimed.Headers.Location!.OriginalString)).Should().Contain("You claimed &#x27;Submit a rectification plan&#x27;.");
        (await TaskAsync(taskId))["claimedBy"]!.GetValue<string>().Should().Be(assignee);
        (await HistoryAsync(number)).Should().Contain(h => h.Action == "TaskClaimed" && h.Actor == assignee);

        // Reassign needs a reason; with one, the task goes to the colleague and the reason is in the history.
        var noReason = await mine.PostAsync($"/staff/tasks/{taskId}/reassign?lang=en", Form(Token(inbox), ("to", colleague), ("reason", " ")));
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).Should().Contain("reason: say why the task changes hands");
        (await TaskAsync(taskId))["claimedBy"]!.GetValue<string>().Should().Be(assignee);
        var reassigned = await mine.PostAsync($"/staff/tasks/{taskId}/reassign?lang=en", Form(Token(inbox), ("to", colleague), ("reason", "On leave from Monday")));
        reassigned.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var moved = await TaskAsync(taskId);
        ((string?)moved["assignee"]).Should().Be(colleague);
        ((string?)moved["status"]).Should().Be("Open");
        (await HistoryAsync(number)).Should().Contain(h => h.Action == "TaskReassigned" && h.Actor == assignee && h.Details!.Contains("On leave from Monday"));

        // The colleague now has it, opens the task page and completes it; a double submit completes it once.
        Section(await theirs.GetStringAsync("/staff?lang=en"), "mine").Should().Contain(taskId);
        var taskPage = await theirs.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        taskPage.Should().Contain("name=\"Measures\"").And.Contain(number);
        var key = System.Text.RegularExpressions.Regex.Match(taskPage, "name=\"completion\" value=\"([0-9a-f]+)\"").Groups[1].Value;
        key.Should().NotBeEmpty();
        var values = new[] { ("completion", key), ("action", "Submit"), ("Measures", "Re-seal line 3"), ("Deadline", "2026-12-15"), ("Goal", "No swollen cans") };
        var submits = await Task.WhenAll(theirs.PostAsync($"/staff/tasks/{taskId}?lang=en", Form(Token(taskPage), values)), theirs.PostAsync($"/staff/tasks/{taskId}?lang=en", Form(Token(taskPage), values)));
        foreach (var submit in submits)
        {
            var text = await submit.Content.ReadAsStringAsync();
            submit.StatusCode.Should().Be(HttpStatusCode.OK, text);
            text.Should().Contain("Your choice &#x27;Submit&#x27; is recorded");
        }
        var done = await TaskAsync(taskId);
        ((string?)done["status"]).Should().Be("Completed");
        ((string?)done["completedBy"]).Should().Be(colleague);
        (await HistoryAsync(number)).Count(h => h.Action == "TaskCompleted").Should().Be(1);
    }

    [Fact]
    public async Task Food_safety_tasks_lead_the_inbox_with_a_mark_even_when_others_are_due_earlier()
    {
        var ordinary = (string)(await _api.PostJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "李先生", ["customerEmail"] = "li@example.cn", ["language"] = "zh-CN",
            ["content"] = "午餐肉罐头太咸了，口感差，没以前好吃，质量不行。",
        }))["number"]!;
        var urgent = await SubmitComplaintAsync(_api);
        foreach (var number in new[] { ordinary, urgent })
            ((string?)(await _api.GetJsonAsync($"/api/feedback/{number}"))["leadDepartment"]).Should().Be("quality", number);
        ((bool)(await _api.GetJsonAsync($"/api/feedback/{urgent}"))["foodSafety"]!).Should().BeTrue();
        ((bool)(await _api.GetJsonAsync($"/api/feedback/{ordinary}"))["foodSafety"]!).Should().BeFalse();
        await GivePasswordAsync(_api, _smtp, _host.Browser(), "chen.jie", Password);

        var head = await SignedInAsync(_host, "chen.jie", Password);
        var department = Section(await head.GetStringAsync("/staff?lang=en"), "department");
        department.IndexOf(urgent, StringComparison.Ordinal).Should().BeGreaterThan(-1)
            .And.BeLessThan(department.IndexOf(ordinary, StringComparison.Ordinal), "the food-safety case comes first although its task is due later");
        department.Should().Contain("Food safety: first");
        department.Split("Food safety: first").Length.Should().Be(2, "only the food-safety task carries the mark");
    }

    [Fact]
    public async Task The_entry_page_registers_phone_feedback_and_keeps_what_was_typed_when_it_is_incomplete()
    {
        (await _host.Browser().GetAsync("/staff/entry")).StatusCode.Should().Be(HttpStatusCode.Redirect);
        await GivePasswordAsync(_api, _smtp, _host.Browser(), "wang.lei", Password);
        var browser = await SignedInAsync(_host, "wang.lei", Password);
        var page = await browser.GetStringAsync("/staff/entry?lang=en");
        var key = System.Text.RegularExpressions.Regex.Match(page, "name=\"key\" value=\"([0-9a-f]+)\"").Groups[1].Value;

        // No contact and not anonymous: the problem is named and the typed text is kept.
        var incomplete = await browser.PostAsync("/staff/entry?lang=en", Form(Token(page), ("key", key), ("channel", "Phone"), ("name", "Zhang San"),
            ("language", "zh-CN"), ("content", "送货司机态度很差，把箱子扔在门口。")));
        incomplete.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var again = await incomplete.Content.ReadAsStringAsync();
        again.Should().Contain("at least one contact is required").And.Contain("送货司机态度很差").And.Contain("value=\"Zhang San\"");
        var badChannel = await browser.PostAsync("/staff/entry?lang=en", Form(Token(page), ("key", key), ("channel", "WebForm"), ("anonymous", "on"), ("content", "x")));
        (await badChannel.Content.ReadAsStringAsync()).Should().Contain("channel: choose phone, counter or suggestion box.");

        // The staff member it is about is chosen from the directory.
        page.Should().Contain("<option value=\"song.yu\">");
        var values = new[] { ("key", key), ("channel", "Phone"), ("name", "Zhang San"), ("phone", "138 0000 1234"), ("language", "zh-CN"), ("content", "送货司机态度很差，把箱子扔在门口。"),
            ("complainedAbout", "song.yu") };
        var created = await browser.PostAsync("/staff/entry?lang=en", Form(Token(page), values));
        var text = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, text);
        var number = System.Text.RegularExpressions.Regex.Match(text, @"FB-\d{4}-\d{6}").Value;
        number.Should().NotBeEmpty();
        // The same form sent again finds the same case.
        var repeated = await browser.PostAsync("/staff/entry?lang=en", Form(Token(page), values));
        repeated.StatusCode.Should().Be(HttpStatusCode.OK);
        (await repeated.Content.ReadAsStringAsync()).Should().Contain(number);

        var feedback = await _api.GetJsonAsync($"/api/feedback/{number}");
        ((string?)feedback["channel"]).Should().Be("Phone");
        ((string?)feedback["complainedAbout"]).Should().Be("song.yu");
        var registered = feedback["history"]!.AsArray().First()!;
        ((string?)registered["actor"]).Should().Be("wang.lei");
        ((string?)registered["via"]).Should().Be("staff entry");

        // A compliment at the counter is entered as praise: it runs the shipped praise process, with nothing to rectify.
        var positive = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ShippedWorkflows.Folder, "positive-review.json")))!.AsObject();
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = positive, ["publish"] = true });
        var praiseKey = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var praised = await browser.PostAsync("/staff/entry?lang=en", Form(Token(page), ("key", praiseKey), ("channel", "Counter"), ("praise", "on"), ("anonymous", "on"),
            ("language", "zh-CN"), ("content", "店员帮我把罐头搬到车上，非常感谢！")));
        var praisedText = await praised.Content.ReadAsStringAsync();
        praised.StatusCode.Should().Be(HttpStatusCode.Created, praisedText);
        var praiseNumber = System.Text.RegularExpressions.Regex.Match(praisedText, @"FB-\d{4}-\d{6}").Value;
        var praise = await _api.GetJsonAsync($"/api/feedback/{praiseNumber}");
        for (var deadline = DateTime.UtcNow.AddSeconds(20); (string?)praise["status"] != "Closed" && DateTime.UtcNow < deadline; await Task.Delay(100))
            praise = await _api.GetJsonAsync($"/api/feedback/{praiseNumber}");
        ((string?)praise["status"], (bool)praise["praise"]!).Should().Be(("Closed", true));
        ((string?)(await _api.GetJsonAsync($"/elsa/api/workflow-instances/{praise["workflowInstanceId"]}"))["definitionId"]).Should().Be("positive-review");
    }

    [Fact]
    public async Task While_a_member_is_absent_their_delegate_gets_their_task_mail_and_completes_their_tasks_on_their_behalf()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        var colleague = assignee == "li.wei" ? "zhang.hua" : "li.wei";
        await GivePasswordAsync(_api, _smtp, _host.Browser(), assignee, Password);
        await GivePasswordAsync(_api, _smtp, _host.Browser(), colleague, Password);
        var away = await SignedInAsync(_host, assignee, Password);
        var stand = await SignedInAsync(_host, colleague, Password);
        Section(await stand.GetStringAsync("/staff?lang=en"), "mine").Should().NotContain(taskId);

        // The period is checked; a valid one is recorded with the delegate.
        var form = await away.GetStringAsync("/staff/absence?lang=en");
        // The form reads times on the company's clock (the host's default, Asia/Shanghai).
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime;
        string At(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var backwards = await away.PostAsync("/staff/absence?lang=en", Form(Token(form), ("action", "set"), ("from", At(now.AddDays(2))), ("until", At(now.AddDays(1))), ("delegate", colleague)));
        backwards.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await backwards.Content.ReadAsStringAsync()).Should().Contain("until: must be after from.");
        var saved = await away.PostAsync("/staff/absence?lang=en", Form(Token(form), ("action", "set"), ("from", At(now.AddHours(-1))), ("until", At(now.AddDays(3))), ("delegate", colleague)));
        saved.StatusCode.Should().Be(HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());
        (await away.GetStringAsync("/staff/absence?lang=en")).Should().Contain($"delegate: {colleague}");

        // A note on the absent member's case reaches their delegate.
        var note = new HttpRequestMessage(HttpMethod.Post, $"/api/feedback/{number}/notes")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonObject { ["text"] = "The customer agreed to wait for the lab result." }),
        };
        note.Headers.Add("X-Staff-User", "xu.ting");
        (await _api.SendAsync(note)).StatusCode.Should().Be(HttpStatusCode.Created);
        var notice = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "NoteNotice")).Should().ContainSingle().Subject;
        notice.To.Mailboxes.Select(m => m.Address).Should().Equal($"{colleague}@example.com");
        notice.TextBody.Should().Contain("在您代理的").And.Contain($"负责的案件 {number} 上添加了备注").And.Contain("The customer agreed to wait for the lab result.");

        // The delegate now has the absent member's task in "my tasks" and completes it; the history says for whom.
        var inbox = await stand.GetStringAsync("/staff?lang=en");
        inbox.Should().Contain($"You stand in for these absent colleagues: {assignee}");
        Section(inbox, "mine").Should().Contain(taskId);
        var taskPage = await stand.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        var key = System.Text.RegularExpressions.Regex.Match(taskPage, "name=\"completion\" value=\"([0-9a-f]+)\"").Groups[1].Value;
        var completed = await stand.PostAsync($"/staff/tasks/{taskId}?lang=en", Form(Token(taskPage), ("completion", key), ("action", "Submit"),
            ("Measures", "Re-seal line 3"), ("Deadline", "2026-12-15"), ("Goal", "No swollen cans")));
        completed.StatusCode.Should().Be(HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        ((string?)(await TaskAsync(taskId))["completedBy"]).Should().Be(colleague);
        (await HistoryAsync(number)).Should().Contain(h => h.Action == "TaskCompleted" && h.Details!.Contains($"by {colleague} on behalf of {assignee}"));

        // The next task is the absent member's again; its mail goes to the delegate, with a link that works for the delegate.
        var report = await OpenTaskAsync(_api, number, "Carry out the plan and report");
        ((string?)report["assignee"]).Should().Be(assignee);
        var mail = await _smtp.MailToAsync($"{colleague}@example.com", "Carry out the plan and report");
        var link = LinkFlow.LinkIn(mail);
        (await _host.Browser().GetStringAsync(link + "?lang=en")).Should().Contain($"You act as {colleague}.");
        _smtp.Messages(m => m.To.Mailboxes.Any(b => b.Address == $"{assignee}@example.com") && m.Subject?.Contains("Carry out the plan", StringComparison.Ordinal) == true)
            .Should().BeEmpty();

        // Back from absence: the delegate's stand-in ends.
        var again = await away.GetStringAsync("/staff/absence?lang=en");
        (await away.PostAsync("/staff/absence?lang=en", Form(Token(again), ("action", "clear")))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        Section(await stand.GetStringAsync("/staff?lang=en"), "mine").Should().NotContain((string)report["id"]!);
    }

    [Fact]
    public async Task The_complaint_desk_flags_feedback_as_malicious_on_the_task_page_and_others_see_no_form()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        foreach (var user in new[] { assignee, "xu.ting" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        // The assignee may not judge the feedback: no form, and a forged post is refused.
        var owner = await SignedInAsync(_host, assignee, Password);
        var ownerPage = await owner.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        ownerPage.Should().Contain(number).And.NotContain("Malicious or false feedback");
        var forged = await owner.PostAsync($"/staff/cases/{number}/malicious?lang=en", Form(Token(ownerPage), ("task", taskId), ("malicious", "true"), ("reason", "x")));
        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // The complaint desk sees the form; a reason is required, then the flag is set and the page says so.
        var desk = await SignedInAsync(_host, "xu.ting", Password);
        var page = await desk.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        page.Should().Contain("This feedback is not flagged as malicious or false.").And.Contain($"/staff/cases/{number}/malicious");
        var noReason = await desk.PostAsync($"/staff/cases/{number}/malicious?lang=en", Form(Token(page), ("task", taskId), ("malicious", "true"), ("reason", " ")));
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).Should().Contain("reason: say why");
        var flagged = await desk.PostAsync($"/staff/cases/{number}/malicious?lang=en", Form(Token(page), ("task", taskId), ("malicious", "true"), ("reason", "Same text posted from 40 accounts")));
        flagged.StatusCode.Should().Be(HttpStatusCode.Redirect);
        flagged.Headers.Location!.OriginalString.Should().StartWith($"/staff/tasks/{taskId}?lang=en");
        (await desk.GetStringAsync(flagged.Headers.Location!.OriginalString)).Should().Contain("Flagged as malicious or false: Same text posted from 40 accounts")
            .And.Contain("Clear the flag");

        ((string?)(await _api.GetJsonAsync($"/api/feedback/{number}"))["maliciousReason"]).Should().Be("Same text posted from 40 accounts");
        (await HistoryAsync(number)).Should().ContainSingle(h => h.Action == "FlaggedMalicious").Which.Actor.Should().Be("xu.ting");
    }

    [Fact]
    public async Task The_complaint_desk_finds_a_callers_case_by_phone_opens_its_page_and_adds_a_note_there()
    {
        var number = await SubmitComplaintAsync(_api);
        await _api.PostJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Mr Tan", ["customerPhone"] = "+86 139 1234 5678", ["content"] = "The delivery came two days late.",
        });
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        foreach (var user in new[] { "xu.ting", "song.yu" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);
        var desk = await SignedInAsync(_host, "xu.ting", Password);
        (await desk.GetStringAsync("/staff?lang=en")).Should().Contain("/staff/cases?lang=en");

        // The caller gives the address they wrote from, in another letter case: one case, name masked.
        var found = await desk.GetStringAsync("/staff/cases?lang=en&contact=WANG%40example.cn");
        found.Should().Contain("Cases found: 1").And.Contain($"/staff/cases/{number}?lang=en").And.Contain("王**").And.NotContain("王女士");
        (await desk.GetStringAsync("/staff/cases?lang=en&contact=13912345678&open=true")).Should().Contain("Cases found: 1").And.NotContain(number);
        var bad = await desk.GetAsync("/staff/cases?lang=en&contact=12");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("contact: an e-mail address, or a phone number");

        var page = await desk.GetStringAsync($"/staff/cases/{number}?lang=en");
        page.Should().Contain("<dt>Lead department</dt><dd>quality</dd>").And.Contain("<dt>Helping departments</dt><dd>production</dd>")
            .And.Contain($"<dt>Responsible</dt><dd>{plan["assignee"]}</dd>");
        page.Should().Contain("红烧猪肉罐头胀罐了").And.Contain($"/staff/tasks/{plan["id"]}?lang=en").And.Contain("id=\"deadlines\"").And.Contain("Resolution").And.Contain("id=\"add-note\"").And.Contain("Record as praise");
        var noted = await desk.PostAsync($"/staff/cases/{number}/notes?lang=en", Form(Token(page), ("task", ""), ("text", "The customer called: she kept the can for inspection.")));
        noted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        noted.Headers.Location!.OriginalString.Should().Be($"/staff/cases/{number}?lang=en#notes");
        (await desk.GetStringAsync($"/staff/cases/{number}?lang=en")).Should().Contain("The customer called: she kept the can for inspection.");
        // To call her back the desk reveals her contacts, and the audit trail says so.
        (await desk.GetStringAsync($"/staff/cases/{number}?lang=en&reveal=contacts")).Should().Contain("王女士").And.Contain("wang@example.cn");
        (await HistoryAsync(number)).Should().Contain(h => h.Action == "ContactsRevealed" && h.Actor == "xu.ting" && h.Details == "The customer's name and contacts were shown on the case page.");

        // Logistics is not on this case: the search does not list it and its page is refused.
        var outsider = await SignedInAsync(_host, "song.yu", Password);
        (await outsider.GetStringAsync("/staff/cases?lang=en&contact=wang%40example.cn")).Should().Contain("Cases found: 0");
        (await outsider.GetAsync($"/staff/cases/{number}?lang=en")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_case_page_serves_the_customers_photos_to_those_who_read_the_case_and_only_for_that_case()
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        var browser = _host.Browser();
        var form = await browser.GetStringAsync("/feedback?lang=en");
        string Hidden(string name) => System.Text.RegularExpressions.Regex.Match(form, $"<input[^>]*name=\"{name}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value;
        var photo = new ByteArrayContent(png);
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var sent = await browser.PostAsync("/feedback", new MultipartFormDataContent
        {
            { new StringContent(Hidden("__af")), "__af" }, { new StringContent(Hidden("key")), "key" }, { new StringContent("en"), "language" },
            { new StringContent("Ann Lee"), "name" }, { new StringContent("ann@example.com"), "email" },
            { new StringContent("The lid of the peach can was dented and rusty."), "content" }, { photo, "photos", "lid.png" },
        });
        var number = System.Text.RegularExpressions.Regex.Match(await sent.Content.ReadAsStringAsync(), @"FB-\d{4}-\d{6}").Value;
        var other = await SubmitComplaintAsync(_api);
        foreach (var user in new[] { "xu.ting", "song.yu" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        var desk = await SignedInAsync(_host, "xu.ting", Password);
        var page = await desk.GetStringAsync($"/staff/cases/{number}?lang=en");
        var link = System.Text.RegularExpressions.Regex.Match(page, $"href=\"(/staff/cases/{number}/photos/[^\"]+)\"").Groups[1].Value;
        link.Should().NotBeEmpty(page);
        (await desk.GetByteArrayAsync(link)).Should().Equal(png);
        (await desk.GetAsync(link.Replace(number, other))).StatusCode.Should().Be(HttpStatusCode.NotFound, "another case's page serves none of this case's photos");
        var outsider = await SignedInAsync(_host, "song.yu", Password);
        (await outsider.GetAsync(link)).StatusCode.Should().Be(HttpStatusCode.NotFound, "logistics does not read this case");
    }

    [Fact]
    public async Task The_staff_on_a_case_and_its_helping_department_write_notes_on_the_task_page_and_others_cannot()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        foreach (var user in new[] { assignee, "wu.lei", "song.yu" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        var owner = await SignedInAsync(_host, assignee, Password);
        (await owner.GetStringAsync("/staff?lang=en")).Should().Contain($"/staff/cases/{number}?lang=en", "the inbox links each task's case");
        var page = await owner.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        page.Should().Contain("id=\"add-note\"").And.NotContain("id=\"notes\"", "no notes yet");
        var added = await owner.PostAsync($"/staff/cases/{number}/notes?lang=en", Form(Token(page), ("task", taskId), ("text", "Asked production to check the seal pressure of line 2.")));
        added.StatusCode.Should().Be(HttpStatusCode.Redirect);
        added.Headers.Location!.OriginalString.Should().Be($"/staff/tasks/{taskId}?lang=en#notes");

        // Production helps with product quality: its head reads the task, sees the note and answers with one.
        var helper = await SignedInAsync(_host, "wu.lei", Password);
        var helperPage = await helper.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        helperPage.Should().Contain("Asked production to check the seal pressure of line 2.");
        (await helper.PostAsync($"/staff/cases/{number}/notes?lang=en", Form(Token(helperPage), ("task", taskId), ("text", "Line 2 ran at 80 % seal pressure on 18 October."))))
            .StatusCode.Should().Be(HttpStatusCode.Redirect);
        var empty = await helper.PostAsync($"/staff/cases/{number}/notes?lang=en", Form(Token(helperPage), ("task", taskId), ("text", "  ")));
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        // Logistics is not on the case: no page, and a forged post is refused.
        var outsider = await SignedInAsync(_host, "song.yu", Password);
        var outsiderPage = await outsider.GetStringAsync("/staff?lang=en");
        (await outsider.PostAsync($"/staff/cases/{number}/notes?lang=en", Form(Token(outsiderPage), ("task", taskId), ("text", "x")))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await _api.GetJsonAsync($"/api/feedback/{number}"))["notes"]!.AsArray().Select(n => (string?)n!["author"]).Should().Equal(assignee, "wu.lei");
        (await owner.GetStringAsync($"/staff/tasks/{taskId}?lang=en")).Should().Contain("Line 2 ran at 80 % seal pressure on 18 October.");

        // The member responsible hears of the helper's note by mail, with the case page's address; of their own, not.
        var notice = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "NoteNotice")).Should().ContainSingle().Subject;
        notice.Subject.Should().Be($"案件 {number} 有 wu.lei 的新备注", "the mail is in the staff language, zh-CN by default");
        notice.To.Mailboxes.Select(m => m.Address).Should().Equal($"{assignee}@example.com");
        notice.TextBody.Should().Contain("Line 2 ran at 80 % seal pressure on 18 October.").And.Contain($"http://localhost/staff/cases/{number}");
        await Task.Delay(500);
        _smtp.Messages(m => m.Headers["X-Feedback-Message"] == "NoteNotice").Should().ContainSingle("the owner's own note mails nobody");
    }

    [Fact]
    public async Task The_complaint_desk_records_a_compliment_as_praise_on_the_task_page_and_the_flow_withdraws_it()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        foreach (var user in new[] { assignee, "xu.ting" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        var owner = await SignedInAsync(_host, assignee, Password);
        var ownerPage = await owner.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        ownerPage.Should().NotContain("Record as praise");
        var forged = await owner.PostAsync($"/staff/cases/{number}/praise?lang=en", Form(Token(ownerPage), ("task", taskId), ("praise", "true"), ("reason", "x")));
        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var desk = await SignedInAsync(_host, "xu.ting", Password);
        var page = await desk.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        page.Should().Contain("Record as praise").And.Contain($"/staff/cases/{number}/praise");
        var marked = await desk.PostAsync($"/staff/cases/{number}/praise?lang=en", Form(Token(page), ("task", taskId), ("praise", "true"), ("reason", "The customer thanks the driver")));
        marked.StatusCode.Should().Be(HttpStatusCode.Redirect);
        marked.Headers.Location!.OriginalString.Should().StartWith($"/staff/tasks/{taskId}?lang=en").And.EndWith("#praise");

        // The flow hears of the mark through the event outbox, a moment after the redirect.
        var feedback = await _api.GetJsonAsync($"/api/feedback/{number}");
        for (var deadline = DateTime.UtcNow.AddSeconds(20); (string?)feedback["status"] != "Closed" && DateTime.UtcNow < deadline; await Task.Delay(100))
            feedback = await _api.GetJsonAsync($"/api/feedback/{number}");
        ((bool)feedback["praise"]!, (string?)feedback["status"]).Should().Be((true, "Closed"));
        (await HistoryAsync(number)).Should().ContainSingle(h => h.Action == "RecordedAsPraise").Which.Actor.Should().Be("xu.ting");
    }

    [Fact]
    public async Task The_complaint_desk_names_whom_the_feedback_is_about_on_the_task_page_and_that_colleague_loses_sight_of_it()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        var colleague = assignee == "li.wei" ? "zhang.hua" : "li.wei";
        foreach (var user in new[] { assignee, colleague, "xu.ting" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);
        var other = await SignedInAsync(_host, colleague, Password);
        (await other.GetStringAsync($"/staff/tasks/{taskId}?lang=en")).Should().Contain(number).And.NotContain("Whom the feedback is about");
        Section(await other.GetStringAsync("/staff?lang=en"), "department").Should().Contain(taskId);

        var desk = await SignedInAsync(_host, "xu.ting", Password);
        var page = await desk.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        page.Should().Contain("No staff member is named.").And.Contain($"/staff/cases/{number}/complained-about");
        var owner = await desk.PostAsync($"/staff/cases/{number}/complained-about?lang=en", Form(Token(page), ("task", taskId), ("user", assignee), ("reason", "The customer named them")));
        owner.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await owner.Content.ReadAsStringAsync()).Should().Contain($"{assignee} is responsible for {number}");
        var named = await desk.PostAsync($"/staff/cases/{number}/complained-about?lang=en", Form(Token(page), ("task", taskId), ("user", colleague), ("reason", "The customer named them on the phone")));
        named.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await desk.GetStringAsync(named.Headers.Location!.OriginalString)).Should().Contain($"Named: {colleague}");

        (await other.GetAsync($"/staff/tasks/{taskId}?lang=en")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        Section(await other.GetStringAsync("/staff?lang=en"), "department").Should().NotContain(taskId);
        (await HistoryAsync(number)).Should().ContainSingle(h => h.Action == "ComplainedAboutNamed").Which.Actor.Should().Be("xu.ting");
    }

    [Fact]
    public async Task The_complaint_desk_marks_a_second_submission_a_duplicate_on_its_task_page_and_its_flow_withdraws_it()
    {
        var first = await SubmitComplaintAsync(_api);
        var second = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, second, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        foreach (var user in new[] { assignee, "xu.ting" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        var owner = await SignedInAsync(_host, assignee, Password);
        var ownerPage = await owner.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        ownerPage.Should().NotContain("Mark as a duplicate");
        (await owner.PostAsync($"/staff/cases/{second}/duplicate?lang=en", Form(Token(ownerPage), ("task", taskId), ("of", first), ("reason", "x"))))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var desk = await SignedInAsync(_host, "xu.ting", Password);
        var page = await desk.GetStringAsync($"/staff/tasks/{taskId}?lang=en");
        page.Should().Contain("This feedback is not marked a duplicate of another case.").And.Contain($"/staff/cases/{second}/duplicate");
        var itself = await desk.PostAsync($"/staff/cases/{second}/duplicate?lang=en", Form(Token(page), ("task", taskId), ("of", second), ("reason", "Same.")));
        itself.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await itself.Content.ReadAsStringAsync()).Should().Contain("cannot be a duplicate of itself");
        var marked = await desk.PostAsync($"/staff/cases/{second}/duplicate?lang=en", Form(Token(page), ("task", taskId), ("of", first), ("reason", "The same customer wrote twice.")));
        marked.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await desk.GetStringAsync(marked.Headers.Location!.OriginalString)).Should().Contain($"Marked a duplicate of {first} and handled there.");

        ((string?)(await _api.GetJsonAsync($"/api/feedback/{second}"))["duplicateOf"]).Should().Be(first);
        // The flow hears of the mark through the outbox, a moment after the commit.
        for (var wait = 0; wait < 100 && (string?)(await _api.GetJsonAsync($"/api/feedback/{second}"))["status"] != "Closed"; wait++) await Task.Delay(200);
        ((string?)(await _api.GetJsonAsync($"/api/feedback/{second}"))["status"]).Should().Be("Closed");
        (await HistoryAsync(second)).Select(h => h.Action).Should().ContainInOrder("MarkedDuplicate", "Closed", "TaskCancelled");
        ((string?)(await TaskAsync(taskId))["status"]).Should().Be("Cancelled", "the duplicate's open task is withdrawn");
        (await HistoryAsync(first)).Should().ContainSingle(h => h.Action == "DuplicateLinked");
    }

    private Task<JsonObject> TaskAsync(string id) => _api.GetJsonAsync($"/api/tasks/{id}");

    private async Task<IReadOnlyList<(string? Action, string? Actor, string? Details)>> HistoryAsync(string number) =>
        (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray().Select(h => ((string?)h!["action"], (string?)h["actor"], (string?)h["details"])).ToList();

    /// <summary>The part of the inbox page in the list with this id.</summary>
    private static string Section(string page, string id)
    {
        var start = page.IndexOf($"<div id=\"{id}\">", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, page);
        var end = page.IndexOf("<h2>", start, StringComparison.Ordinal);
        return end < 0 ? page[start..] : page[start..end];
    }
}
