using System.Net;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>Without SMTP, mail is kept in the development mailbox and listed at /dev/mail with clickable links.</summary>
public sealed class DevMailboxTests
{
    [Fact]
    public async Task Without_smtp_the_acknowledgement_is_listed_at_dev_mail_with_its_case_link()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var settings = LinkFlow.HostSettings(0, "http://localhost");
        settings.Remove("Email:Smtp:Host");
        await using var host = new StudioTestHost(database.ConnectionString, kestrel: false, settings);
        var api = host.Api();
        await api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
        var number = (string)(await api.PostJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Ann Lee", ["customerEmail"] = "ann@example.com", ["language"] = "en",
            ["content"] = "The lid of the peach can was dented and rusty.",
        }))["number"]!;

        var browser = host.Browser();
        // Other mail of the case (the complaint desk manager's food-safety alert) may be listed first.
        string list = "";
        for (var i = 0; i < 100 && !list.Contains($"We have received your feedback ({number})"); i++)
        {
            list = await browser.GetStringAsync("/dev/mail?lang=en");
            await Task.Delay(200);
        }
        list.Should().Contain($"We have received your feedback ({number})");
        var mailPath = System.Text.RegularExpressions.Regex.Match(list, "href=\"(/dev/mail/[A-Za-z0-9_-]+)\">We have received").Groups[1].Value;
        var mail = await browser.GetStringAsync(mailPath);
        mail.Should().Contain("ann@example.com").And.Contain("<a href=\"http://localhost/l/");
        (await browser.GetAsync("/dev/mail/..%2Fdev-api-key")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // A reverse proxy on this machine connects from loopback on anyone's behalf: what it forwards is not local.
        foreach (var (header, value) in new[] { ("X-Forwarded-For", "203.0.113.7"), ("Forwarded", "for=203.0.113.7") })
            foreach (var path in new[] { "/dev/mail?lang=en", mailPath })
            {
                using var proxied = new HttpRequestMessage(HttpMethod.Get, path);
                proxied.Headers.Add(header, value);
                (await browser.SendAsync(proxied)).StatusCode.Should().Be(HttpStatusCode.NotFound, $"{header} on {path}");
            }
    }

    [Fact]
    public async Task The_example_organisations_process_owner_gets_a_member_a_password_link_as_the_readme_shows()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var settings = LinkFlow.HostSettings(0, "http://localhost");
        settings.Remove("Email:Smtp:Host");
        settings["Feedback:StaffLanguage"] = "en";
        await using var host = new StudioTestHost(database.ConnectionString, kestrel: false, settings);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/staff/li.wei/password-link");
        request.Headers.Add("X-Staff-User", "ma.jun");

        (await host.Api().SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Accepted);

        var browser = host.Browser();
        string list = "";
        for (var i = 0; i < 100 && !list.Contains("Set your password for the feedback inbox"); i++)
        {
            list = await browser.GetStringAsync("/dev/mail?lang=en");
            await Task.Delay(200);
        }
        list.Should().Contain("Set your password for the feedback inbox");
    }
}
