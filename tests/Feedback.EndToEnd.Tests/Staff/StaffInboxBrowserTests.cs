using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Playwright;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>
/// A staff member in Chromium against the host on PostgreSQL with a real SMTP server: sets their password from the
/// mailed link, signs in, finds their task in the inbox, opens it and completes it.
/// </summary>
public sealed class StaffInboxBrowserTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: true, LinkFlow.HostSettings(_smtp.Port, baseUrl: null));
        _host.Start();
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

    [ChromiumFact]
    public async Task A_staff_member_signs_in_finds_the_task_in_the_inbox_and_completes_it()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var (taskId, assignee) = ((string)plan["id"]!, (string)plan["assignee"]!);
        await using var browser = await BrowserSession.StartAsync(nameof(A_staff_member_signs_in_finds_the_task_in_the_inbox_and_completes_it),
            new ViewportSize { Width = 412, Height = 915 });
        var page = browser.Page;

        // The password comes by mail from the administrator's request; the link's page sets it.
        (await RequestPasswordLinkAsync(_api, assignee)).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);
        await page.GotoAsync(await PasswordLinkAsync(_smtp, $"{assignee}@example.com") + "?lang=en");
        await page.FillAsync("#password", "Tinned-peaches-2026");
        await page.FillAsync("#confirm", "Tinned-peaches-2026");
        await browser.ScreenshotAsync("set-password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("text=Your password is set");

        await page.ClickAsync("#sign-in");
        await page.FillAsync("#username", assignee);
        await page.FillAsync("#password", "Tinned-peaches-2026");
        await browser.ScreenshotAsync("sign-in");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#signed-in-as");

        // The inbox lists the task under "my tasks" with its case number; its link opens the task page.
        var mine = page.Locator($"#mine section[data-task='{taskId}']");
        (await mine.TextContentAsync()).Should().Contain(number).And.Contain("Submit a rectification plan");
        await browser.ScreenshotAsync("inbox");
        await mine.Locator("a.open").ClickAsync();
        (await page.ContentAsync()).Should().Contain(number).And.Contain($"You act as {assignee}.");
        await page.FillAsync("[name=Measures]", "Re-seal line 3 and check every can from batch 20261101.");
        await page.FillAsync("[name=Deadline]", "2026-12-15");
        await page.FillAsync("[name=Goal]", "No swollen cans leave the plant.");
        await browser.ScreenshotAsync("task");
        await page.ClickAsync("button[value=Submit]");
        await page.WaitForSelectorAsync("text=Your choice 'Submit' is recorded");

        var done = await _api.GetJsonAsync($"/api/tasks/{taskId}");
        ((string?)done["status"]).Should().Be("Completed");
        ((string?)done["completedBy"]).Should().Be(assignee);
        // Back in the inbox, the completed task is gone and the next step (the same person's report) is there.
        await page.ClickAsync("#back");
        await page.WaitForSelectorAsync("#signed-in-as");
        (await page.Locator($"#mine section[data-task='{taskId}']").CountAsync()).Should().Be(0);
        await OpenTaskAsync(_api, number, "Carry out the plan and report");
        await page.ReloadAsync();
        (await page.Locator("#mine").TextContentAsync()).Should().Contain("Carry out the plan and report");
        await browser.ScreenshotAsync("inbox-after");
        browser.Problems.Should().BeEmpty(browser.Summary);
    }
}
