using System.Net;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>
/// A whole case in Chromium against the host on PostgreSQL with a real SMTP server: the customer's web form, every
/// staff step from the link in its mail, the customer's survey, the case closed. Every link is fetched first with a
/// plain GET, as a mail scanner would, and must change nothing.
/// </summary>
public sealed class CaseThroughMailBrowserTests : IAsyncLifetime
{
    private const string Customer = "wang.fang@example.cn";
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;
    private readonly HttpClient _scanner = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        // No Links:PublicBaseUrl: links point at the address Kestrel was given, as on a fresh install.
        _host = new StudioTestHost(_database.ConnectionString, kestrel: true, LinkFlow.HostSettings(_smtp.Port, baseUrl: null));
        _host.Start();
        _api = _host.Api();
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
    }

    public async Task DisposeAsync()
    {
        _scanner.Dispose();
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ChromiumFact]
    public async Task A_complaint_goes_from_the_web_form_through_every_mailed_link_to_a_closed_case()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_complaint_goes_from_the_web_form_through_every_mailed_link_to_a_closed_case),
            new ViewportSize { Width = 412, Height = 915 });
        var page = browser.Page;

        // The customer fills in the public form on a phone-sized screen, with a photo.
        await page.GotoAsync(new Uri(_host.Address!, "/feedback?lang=en").ToString());
        await page.FillAsync("#name", "Wang Fang");
        await page.FillAsync("#email", Customer);
        await page.SelectOptionAsync("#language", "en");
        await page.FillAsync("#content", "红烧猪肉罐头胀罐了，打开有酸臭味，要求退货。");
        await page.FillAsync("#product", "Braised pork, batch 20261101");
        await page.SetInputFilesAsync("#photos", new FilePayload { Name = "can.png", MimeType = "image/png", Buffer = TinyPng });
        await browser.ScreenshotAsync("form");
        await page.ClickAsync("button[type=submit]");
        var number = (await page.TextContentAsync("#case-number"))!.Split(' ').Single(w => w.StartsWith("FB-", StringComparison.Ordinal)).TrimEnd('.');
        await browser.ScreenshotAsync("registered");

        // The acknowledgement arrives at the SMTP server with the case page link.
        var acknowledgement = await _smtp.MailToAsync(Customer, number);
        acknowledgement.Subject.Should().Contain("We have received your feedback");
        var caseLink = LinkFlow.LinkIn(acknowledgement);

        // The responsible person files the plan from the link in their mail.
        var plan = await OpenTaskAsync(number, "Submit a rectification plan");
        await ScanAsync(number, caseLink); // now the workflow waits, so any change would be the scanner's
        var assignee = (string)plan["assignee"]!;
        var assigneeMail = await EmailOfAsync(assignee);
        var planLink = LinkFlow.LinkIn(await _smtp.MailToAsync(assigneeMail, "Submit a rectification plan"));
        await ScanAsync(number, planLink);
        await page.GotoAsync(planLink + "?lang=en");
        (await page.ContentAsync()).Should().Contain(number);
        // The photo is kept in the database and served to the holder of the task link only.
        var photo = new Uri(new Uri(planLink), await page.GetAttributeAsync("a[href*='/photos/']", "href"));
        (await _scanner.GetByteArrayAsync(photo)).Should().Equal(TinyPng);
        var photoId = photo.AbsolutePath[(photo.AbsolutePath.LastIndexOf('/') + 1)..];
        (await _scanner.GetAsync(new Uri(_host.Address!, $"/photos/{photoId}"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await _api.GetByteArrayAsync($"/photos/{photoId}")).Should().Equal(TinyPng);
        await page.FillAsync("[name=Measures]", "Re-seal line 3 and check every can from batch 20261101.");
        await page.FillAsync("[name=Deadline]", "2026-12-15");
        await page.FillAsync("[name=Goal]", "No swollen cans leave the plant.");
        await browser.ScreenshotAsync("plan");
        await page.ClickAsync("button[value=Submit]");
        await page.WaitForSelectorAsync("text=Your choice 'Submit' is recorded");

        // The used link and a tampered one each say what happened.
        await page.GotoAsync(planLink + "?lang=en");
        (await page.ContentAsync()).Should().Contain("This link has already been used");
        await page.GotoAsync(planLink[..^4] + "AAAA?lang=en");
        (await page.ContentAsync()).Should().Contain("This link is not valid");
        await browser.ScreenshotAsync("tampered");
        browser.Consume(p => p.StartsWith("HTTP 410 GET", StringComparison.Ordinal), p => p.StartsWith("HTTP 404 GET", StringComparison.Ordinal),
            p => p.Contains("status of 410 (Gone)", StringComparison.Ordinal), p => p.Contains("status of 404 (Not Found)", StringComparison.Ordinal));

        // The rectification report, submitted with a double click: the workflow moves once.
        var reportLink = LinkFlow.LinkIn(await _smtp.MailToAsync(assigneeMail, "Carry out the plan and report"));
        await ScanAsync(number, reportLink);
        await page.GotoAsync(reportLink + "?lang=en");
        await page.FillAsync("[name=Report]", "Line 3 re-sealed; 1,200 cans checked, 14 withdrawn.");
        await page.FillAsync("[name=CustomerReply]", "We re-sealed the production line and withdrew the cans that were affected.");
        await page.DblClickAsync("button[value=Done]");
        await page.WaitForSelectorAsync("text=Your choice 'Done' is recorded");
        var history = await HistoryAsync(number);
        history.Count(h => h.Action == "TaskCompleted" && h.Details!.Contains("Carry out the plan")).Should().Be(1);

        // The department head, then the complaint desk, approve from their mail.
        await ApproveAsync(browser, number, "chen.jie@example.com", "Review the rectification (department head)");
        await ApproveAsync(browser, number, "xu.ting@example.com", "Review the rectification (complaint desk)");

        // The customer answers the survey from its mail.
        var surveyLink = LinkFlow.LinkIn(await _smtp.MailToAsync(Customer, "How did we do"));
        await ScanAsync(number, surveyLink);
        await page.GotoAsync(surveyLink);
        await page.CheckAsync("input[name=rating][value='5']");
        await page.FillAsync("#comment", "Quick and polite, thank you.");
        await browser.ScreenshotAsync("survey");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("text=Your answer is recorded");
        (await page.TextContentAsync("#survey-next")).Should().Be("We are glad it is put right; our written reply follows.");

        var closed = await _api.GetJsonAsync($"/api/feedback/{number}");
        ((string?)closed["status"]).Should().Be("Closed");
        ((int?)closed["satisfaction"]).Should().Be(5);
        var instance = await _api.WaitForInstanceAsync((string)closed["workflowInstanceId"]!, "Finished", TimeSpan.FromSeconds(30));
        ((string?)instance["subStatus"]).Should().Be("Finished");

        // The customer's case page shows the outcome.
        await page.GotoAsync(caseLink);
        (await page.TextContentAsync("#case-status")).Should().Be("Closed");
        await browser.ScreenshotAsync("case-page");
        browser.Problems.Where(p => !p.Contains("net::ERR_ABORTED", StringComparison.Ordinal)).Should().BeEmpty(browser.Summary);
    }

    private async Task ApproveAsync(BrowserSession browser, string number, string address, string title)
    {
        var link = LinkFlow.LinkIn(await _smtp.MailToAsync(address, title));
        await ScanAsync(number, link);
        await browser.Page.GotoAsync(link + "?lang=en");
        (await browser.Page.ContentAsync()).Should().Contain("Line 3 re-sealed");
        await browser.Page.ClickAsync("button[value=Approve]");
        await browser.Page.WaitForSelectorAsync("text=Your choice 'Approve' is recorded");
    }

    /// <summary>A mail scanner's plain GET (twice) leaves the case exactly as it was.</summary>
    private async Task ScanAsync(string number, string link)
    {
        var before = await _api.GetJsonAsync($"/api/feedback/{number}");
        for (var i = 0; i < 2; i++)
        {
            var response = await _scanner.GetAsync(link);
            response.StatusCode.Should().Be(HttpStatusCode.OK, link);
        }
        var after = await _api.GetJsonAsync($"/api/feedback/{number}");
        WithoutLiveReadings(after).Should().Be(WithoutLiveReadings(before), "fetching a link must change nothing");
    }

    /// <summary>
    /// The case as stored: a running clock's time used and left are read at the instant of the request and grow during
    /// its calendar's working hours, so they differ between two reads whatever the link did.
    /// </summary>
    private static string WithoutLiveReadings(JsonObject feedback)
    {
        var copy = feedback.DeepClone().AsObject();
        foreach (var clock in copy["clocks"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["state"] == "Running"))
            foreach (var live in new[] { "used", "left", "overrun" }) clock.Remove(live);
        return copy.ToJsonString();
    }

    private async Task<JsonObject> OpenTaskAsync(string number, string title)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var items = (await _api.GetJsonAsync($"/api/tasks?caseNumber={number}&status=Open"))["items"]!.AsArray().OfType<JsonObject>();
            if (items.FirstOrDefault(t => (string?)t["title"] == title) is { } task) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"No open task '{title}' on {number}.");
            await Task.Delay(200);
        }
    }

    private async Task<IReadOnlyList<(string? Action, string? Details)>> HistoryAsync(string number) =>
        (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray().Select(h => ((string?)h!["action"], (string?)h["details"])).ToList();

    private async Task<string> EmailOfAsync(string user)
    {
        var directory = await _api.GetJsonAsync("/api/admin/directory");
        return (string)directory["staff"]!.AsArray().Single(s => (string?)s!["userName"] == user)!["email"]!;
    }

    /// <summary>A 1×1 PNG.</summary>
    private static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
}
