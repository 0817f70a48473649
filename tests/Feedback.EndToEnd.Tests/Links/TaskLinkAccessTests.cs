using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.Activities.Links;
using Feedback.Activities.Persistence;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Host.Links;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>
/// A mailed task link is checked on every use: the person the case is about, a deactivated member, and a used link
/// see neither the case nor its photos.
/// </summary>
public sealed partial class TaskLinkAccessTests : IAsyncLifetime
{
    /// <summary>The smallest valid PNG: the signature the upload check looks for, then IHDR, IDAT and IEND.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, LinkFlow.HostSettings(_smtp.Port, "http://localhost"));
        _api = _host.Api();
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_colleague_named_as_complained_about_afterwards_can_no_longer_open_the_task_link_or_its_photos()
    {
        var number = await SubmitWithPhotoAsync();
        var plan = await OpenTaskAsync(number, "Submit a rectification plan");
        var department = (string)(await _api.GetJsonAsync($"/api/feedback/{number}"))["leadDepartment"]!;
        var colleague = await ColleagueOfAsync((string)plan["assignee"]!, department);
        // A role task of the department (a role the colleague holds), mailed to each member who may do it.
        var role = (string)(await _api.GetJsonAsync("/api/admin/directory"))["staff"]!.AsArray().Single(m => (string?)m!["userName"] == colleague)!["roles"]![0]!;
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            await db.Tasks.Where(t => t.Id == (string)plan["id"]!).ExecuteUpdateAsync(s => s.SetProperty(t => t.Assignee, (string?)null)
                .SetProperty(t => t.Role, role).SetProperty(t => t.DepartmentId, department));
        var link = "/l/" + _host.Services.GetRequiredService<LinkTokens>().Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, (string)plan["id"]!, number, colleague));
        var browser = _host.Browser();

        var before = await browser.GetStringAsync(link + "?lang=en");
        before.Should().Contain(number);
        var photo = PhotoLink().Match(before).Value;
        photo.Should().NotBeEmpty(before);
        (await browser.GetAsync(photo)).StatusCode.Should().Be(HttpStatusCode.OK);

        var desk = _host.Api();
        desk.DefaultRequestHeaders.Add("X-Staff-User", "xu.ting");
        await desk.PostJsonAsync($"/api/feedback/{number}/complained-about", new JsonObject { ["user"] = colleague, ["reason"] = "The customer named them on the phone." });

        var after = await browser.GetAsync(link + "?lang=en");
        var page = await after.Content.ReadAsStringAsync();
        after.StatusCode.Should().Be(HttpStatusCode.Forbidden, page);
        page.Should().Contain("This task is not open to you").And.NotContain(number).And.NotContain("rectification plan");
        (await browser.GetAsync(photo)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        // The view-only page has no form; any page of this site gives the browser a valid anti-forgery token.
        var token = AntiforgeryField().Match(await browser.GetStringAsync("/feedback?lang=en")).Groups[1].Value;
        var posted = await browser.PostAsync(link + "?lang=en", Form(token, ("action", "Submit")));
        posted.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await posted.Content.ReadAsStringAsync()).Should().NotContain(number);
    }

    [Fact]
    public async Task A_deactivated_member_can_no_longer_open_their_task_link_and_a_used_link_shows_no_photos()
    {
        var number = await SubmitWithPhotoAsync();
        var plan = await OpenTaskAsync(number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        var tokens = _host.Services.GetRequiredService<LinkTokens>();
        var stale = "/l/" + tokens.Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, taskId, number, assignee));
        var browser = _host.Browser();
        var page = await browser.GetStringAsync(stale + "?lang=en");
        page.Should().Contain("name=\"Measures\"");

        // The assignee completes the task through a second link; the used one keeps no access to the photos.
        var used = "/l/" + tokens.Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, taskId, number, assignee));
        var form = await browser.GetStringAsync(used + "?lang=en");
        var photo = PhotoLink().Match(form).Value;
        (await browser.GetAsync(photo)).StatusCode.Should().Be(HttpStatusCode.OK);
        var done = await browser.PostAsync(used, Form(AntiforgeryField().Match(form).Groups[1].Value,
            ("action", "Submit"), ("Measures", "Re-seal the line 3 cans"), ("Deadline", "2026-12-15"), ("Goal", "No swollen cans")));
        done.StatusCode.Should().Be(HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        (await browser.GetAsync(photo)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var directory = (await _api.GetFromJsonAsync<JsonObject>("/api/admin/directory"))!;
        directory["staff"]!.AsArray().Single(m => (string?)m!["userName"] == assignee)!["active"] = false;
        (await _api.PutAsJsonAsync("/api/admin/directory", directory)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var refused = await browser.GetAsync(stale + "?lang=en");
        var text = await refused.Content.ReadAsStringAsync();
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, text);
        text.Should().Contain("your account is inactive").And.NotContain(number);
    }

    [Fact]
    public async Task Once_its_task_is_completed_or_handed_on_a_task_link_shows_only_that_and_nothing_of_the_case()
    {
        var number = await SubmitWithPhotoAsync();
        var plan = await OpenTaskAsync(number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        var tokens = _host.Services.GetRequiredService<LinkTokens>();
        var link = "/l/" + tokens.Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, taskId, number, assignee));
        var browser = _host.Browser();
        var open = await browser.GetStringAsync(link + "?lang=en");
        open.Should().Contain(number).And.Contain("id=\"reveal-contacts\"");
        var photo = PhotoLink().Match(open).Value;

        // Handed to a colleague: the first link no longer opens the case.
        var department = (string)(await _api.GetJsonAsync($"/api/feedback/{number}"))["leadDepartment"]!;
        var colleague = await ColleagueOfAsync(assignee, department);
        var asAssignee = _host.Api();
        asAssignee.DefaultRequestHeaders.Add("X-Staff-User", assignee);
        (await asAssignee.PostAsJsonAsync($"/api/tasks/{taskId}/reassign", new JsonObject { ["to"] = colleague, ["reason"] = "On leave from Monday." }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await ShowsOnlyTheOutcomeAsync(link, "handed to someone else");

        // Completed through the API by the colleague: the colleague's link says so, and nothing more.
        var colleagueLink = "/l/" + tokens.Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, taskId, number, colleague));
        var asColleague = _host.Api();
        asColleague.DefaultRequestHeaders.Add("X-Staff-User", colleague);
        var completed = await asColleague.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new JsonObject
        {
            ["action"] = "Submit", ["values"] = new JsonObject { ["Measures"] = "Re-seal the line 3 cans", ["Deadline"] = "2026-12-15", ["Goal"] = "No swollen cans" },
        });
        completed.StatusCode.Should().Be(HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
        await ShowsOnlyTheOutcomeAsync(colleagueLink, $"completed by {colleague}");
        await ShowsOnlyTheOutcomeAsync(link, $"completed by {colleague}");
        (await browser.GetAsync(photo)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        async Task ShowsOnlyTheOutcomeAsync(string url, string outcome)
        {
            foreach (var query in new[] { "?lang=en", "?lang=en&reveal=contacts" })
            {
                var response = await browser.GetAsync(url + query);
                var page = await response.Content.ReadAsStringAsync();
                response.StatusCode.Should().Be(HttpStatusCode.OK, page);
                page.Should().Contain(outcome).And.Contain($"/staff/tasks/{taskId}")
                    .And.NotContain(number).And.NotContain("罐头").And.NotContain("王").And.NotContain("reveal-contacts").And.NotContain("/photos/");
            }
            (await AuditActionsAsync(number)).Should().NotContain("ContactsRevealed");
        }
    }

    private async Task<List<string?>> AuditActionsAsync(string number) =>
        (await _api.GetJsonAsync($"/api/feedback/{number}/audit"))["entries"]!.AsArray().Select(e => (string?)e!["action"]).ToList();

    /// <summary>Submits the public form as a browser does, with one photo; returns the case number.</summary>
    private async Task<string> SubmitWithPhotoAsync()
    {
        var browser = _host.Browser();
        var form = await browser.GetStringAsync("/feedback?lang=zh-CN");
        string Hidden(string name) => Regex.Match(form, $"<input[^>]*name=\"{name}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value;
        var content = new MultipartFormDataContent
        {
            { new StringContent(Hidden("__af")), "__af" },
            { new StringContent(Hidden("key")), "key" },
            { new StringContent("zh-CN"), "language" },
            { new StringContent("王女士"), "name" },
            { new StringContent("wang@example.cn"), "email" },
            { new StringContent("红烧猪肉罐头胀罐了，打开有酸臭味，要求退货。"), "content" },
        };
        var photo = new ByteArrayContent(Png);
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        content.Add(photo, "photos", "can.png");
        var response = await browser.PostAsync("/feedback", content);
        var page = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, page);
        return CaseNumber().Match(page).Value;
    }

    private async Task<string> ColleagueOfAsync(string user, string department)
    {
        var directory = await _api.GetJsonAsync("/api/admin/directory");
        return directory["staff"]!.AsArray()
            .Select(s => ((string)s!["userName"]!, (string?)s["departmentId"]))
            .First(s => s.Item2 == department && s.Item1 != user).Item1;
    }

    private async Task<JsonObject> OpenTaskAsync(string number, string title)
    {
        for (var until = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
        {
            var open = (await _api.GetJsonAsync($"/api/tasks?caseNumber={number}&status=Open"))["items"]!.AsArray().OfType<JsonObject>();
            if (open.FirstOrDefault(t => (string?)t["title"] == title) is { } task) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"No open task '{title}' on {number}.");
        }
    }

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)).Prepend(KeyValuePair.Create("__af", token)));

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("/l/[A-Za-z0-9_\\-]+/photos/[A-Za-z0-9_\\-]+")]
    private static partial Regex PhotoLink();

    [GeneratedRegex(@"FB-\d{4}-\d{6}")]
    private static partial Regex CaseNumber();
}
