using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>
/// What the staff page tests share: a process owner in the example directory, password links read from the SMTP
/// server, sign-in through the page, and the anti-forgery token out of a page.
/// </summary>
public static partial class StaffPageFlow
{
    public const string ProcessOwner = "qian.owner";

    /// <summary>Adds a process owner (who may issue password links) to the example organisation.</summary>
    public static async Task AddProcessOwnerAsync(HttpClient api)
    {
        var directory = await api.GetJsonAsync("/api/admin/directory");
        directory["staff"]!.AsArray().Add(new JsonObject
        {
            ["userName"] = ProcessOwner, ["displayName"] = "Qian Owner", ["email"] = "qian.owner@example.com",
            ["departmentId"] = "management", ["roles"] = new JsonArray("ProcessOwner"),
        });
        var response = await api.PutAsJsonAsync("/api/admin/directory", directory);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asks for a password link as the process owner; returns the response.</summary>
    public static Task<HttpResponseMessage> RequestPasswordLinkAsync(HttpClient api, string user, string? actingAs = ProcessOwner)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/staff/{user}/password-link");
        if (actingAs is not null) request.Headers.Add("X-Staff-User", actingAs);
        return api.SendAsync(request);
    }

    /// <summary>The password link mailed to <paramref name="address"/> (the <paramref name="skip"/>-th such mail).</summary>
    public static async Task<string> PasswordLinkAsync(SmtpSink smtp, string address, int skip = 0) =>
        LinkFlow.LinkIn(await smtp.MailToAsync(address, "密码", skip));

    /// <summary>Issues a link for <paramref name="user"/>, and sets <paramref name="password"/> through it with <paramref name="browser"/>.</summary>
    public static async Task GivePasswordAsync(HttpClient api, SmtpSink smtp, HttpClient browser, string user, string password)
    {
        var before = smtp.Messages().Count(m => m.To.Mailboxes.Any(b => b.Address == $"{user}@example.com") && m.Subject?.Contains("密码", StringComparison.Ordinal) == true);
        (await RequestPasswordLinkAsync(api, user)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var link = await PasswordLinkAsync(smtp, $"{user}@example.com", before);
        var page = await browser.GetStringAsync(link);
        var set = await browser.PostAsync(link, Form(Token(page), ("password", password), ("confirm", password)));
        set.StatusCode.Should().Be(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
    }

    /// <summary>Signs in through the page; returns the answer (a redirect on success).</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password)
    {
        var page = await browser.GetStringAsync("/staff/sign-in?lang=en");
        return await browser.PostAsync("/staff/sign-in?lang=en", Form(Token(page), ("username", user), ("password", password), ("returnUrl", "/staff")));
    }

    /// <summary>A browser-like client signed in as <paramref name="user"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(StudioTestHost host, string user, string password)
    {
        var browser = host.Browser();
        var response = await SignInAsync(browser, user, password);
        response.StatusCode.Should().Be(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return browser;
    }

    public static string Token(string page) => AntiforgeryField().Match(page) is { Success: true } m ? m.Groups[1].Value
        : throw new InvalidOperationException("The page carries no anti-forgery token: " + page);

    public static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)).Prepend(KeyValuePair.Create("__af", token)));

    /// <summary>Waits for the open task called <paramref name="title"/> on the case.</summary>
    public static async Task<JsonObject> OpenTaskAsync(HttpClient api, string number, string title)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var items = (await api.GetJsonAsync($"/api/tasks?caseNumber={number}&status=Open,Claimed"))["items"]!.AsArray().OfType<JsonObject>();
            if (items.FirstOrDefault(t => (string?)t["title"] == title) is { } task) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"No open task '{title}' on {number}.");
            await Task.Delay(200);
        }
    }

    /// <summary>A product-quality complaint (led by the quality department); returns its number.</summary>
    public static async Task<string> SubmitComplaintAsync(HttpClient api)
    {
        var created = await api.PostJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = "wang@example.cn", ["language"] = "zh-CN",
            ["content"] = "红烧猪肉罐头胀罐了，打开有酸臭味，要求退货。",
        });
        return (string)created["number"]!;
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
