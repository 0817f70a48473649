using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Host.Links;
using Feedback.Activities.Links;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>Mailed links over HTTP on PostgreSQL with a real SMTP server: GET shows, POST acts once, bad links say why.</summary>
public sealed partial class MailLinkTests : IAsyncLifetime
{
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
    public async Task A_task_link_shows_on_get_acts_once_on_post_and_is_then_used()
    {
        var number = await SubmitAsync("wang@example.cn");
        var plan = await OpenTaskAsync(number, "Submit a rectification plan");
        var assignee = (string)plan["assignee"]!;
        var mail = await _smtp.MailToAsync(await EmailOfAsync(assignee), number);
        mail.HtmlBody.Should().Contain("<a href=\"http://localhost/l/");
        var link = LinkFlow.LinkIn(mail);
        var browser = _host.Browser();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");

        // A scanner fetching the link (twice) changes nothing.
        var first = await browser.GetAsync(link);
        var page = await first.Content.ReadAsStringAsync();
        first.StatusCode.Should().Be(HttpStatusCode.OK, page);
        page.Should().Contain("Submit a rectification plan").And.Contain(number).And.Contain("name=\"Measures\"");
        (await browser.GetAsync(link)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await TaskAsync((string)plan["id"]!))["status"]!.GetValue<string>().Should().Be("Open");

        // The customer's contacts are masked until the assignee asks to see them; that request is in the audit trail.
        page.Should().Contain("w***@example.cn").And.Contain("王**").And.Contain("id=\"reveal-contacts\"").And.NotContain("wang@example.cn");
        page.Should().Contain("?lang=en&amp;reveal=contacts", "the reveal keeps the page's language");
        (await AuditActionsAsync(number)).Should().NotContain("ContactsRevealed");
        var revealed = await browser.GetStringAsync(link + "?reveal=contacts");
        revealed.Should().Contain("王女士").And.Contain("wang@example.cn");
        var audit = (await _api.GetJsonAsync($"/api/feedback/{number}/audit"))["entries"]!.AsArray();
        var reveal = audit.Should().ContainSingle(e => (string?)e!["action"] == "ContactsRevealed").Which!;
        ((string?)reveal["actor"], (string?)reveal["via"]).Should().Be((assignee, "task-link"));

        // A tampered link, and a post without the page's anti-forgery token, are refused and change nothing.
        var tampered = link[..^6] + (link[^6] == 'A' ? 'B' : 'A') + link[^5..];
        var refused = await browser.GetAsync(tampered);
        refused.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("not valid").And.Contain("400-800-1234");
        var forged = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "Submit", ["Measures"] = "x" }));
        forged.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await TaskAsync((string)plan["id"]!))["status"]!.GetValue<string>().Should().Be("Open");

        // A form with a missing field comes back with the message and what was typed.
        var token = AntiforgeryToken(page);
        var incomplete = await browser.PostAsync(link, Form(token, ("action", "Submit"), ("Measures", "Re-seal the line 3 cans"), ("Deadline", ""), ("Goal", "No swollen cans")));
        incomplete.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await incomplete.Content.ReadAsStringAsync()).Should().Contain("values.Deadline: required.").And.Contain("Re-seal the line 3 cans");

        // The same form submitted twice completes the task once; both answers say it is done.
        var values = new[] { ("action", "Submit"), ("Measures", "Re-seal the line 3 cans"), ("Deadline", "2026-12-15"), ("Goal", "No swollen cans") };
        var submits = await Task.WhenAll(browser.PostAsync(link, Form(token, values)), browser.PostAsync(link, Form(token, values)));
        foreach (var submit in submits)
        {
            var text = await submit.Content.ReadAsStringAsync();
            submit.StatusCode.Should().Be(HttpStatusCode.OK, text);
            text.Should().Contain("Submit");
        }
        var done = await TaskAsync((string)plan["id"]!);
        done["status"]!.GetValue<string>().Should().Be("Completed");
        done["completedBy"]!.GetValue<string>().Should().Be(assignee);
        var history = (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray();
        history.Count(h => (string?)h!["action"] == "TaskCompleted").Should().Be(1);
        (await OpenTasksAsync(number)).Select(t => (string)t["title"]!).Should().Contain("Carry out the plan and report");

        // The used link now says so.
        var again = await browser.GetAsync(link);
        again.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await again.Content.ReadAsStringAsync()).Should().Contain("already been used");
    }

    [Fact]
    public async Task Links_minted_by_one_host_are_read_by_another_and_expired_links_say_so()
    {
        var tokens = _host.Services.GetRequiredService<LinkTokens>();
        var minted = tokens.Issue(new ActionLinkRequest(ActionLinkKind.CasePage, "FB-2026-000001", "FB-2026-000001"));

        await using var other = new StudioTestHost(_database.ConnectionString, kestrel: false, LinkFlow.HostSettings(_smtp.Port, "http://localhost"));
        other.Services.GetRequiredService<LinkTokens>().Read(minted).Subject.Should().Be("FB-2026-000001");

        var expiredTokens = new LinkTokens(_host.Services.GetRequiredService<IDataProtectionProvider>(),
            new MailLinkOptions { CasePageLifetime = TimeSpan.FromMinutes(-1) }, _host.Services.GetRequiredService<IClock>());
        var expired = expiredTokens.Issue(new ActionLinkRequest(ActionLinkKind.CasePage, "FB-2026-000001", "FB-2026-000001"));
        var response = await _host.Browser().GetAsync($"/l/{expired}?lang=en");
        response.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await response.Content.ReadAsStringAsync()).Should().Contain("This link has expired").And.Contain("400-800-1234");
    }

    [Fact]
    public async Task With_a_key_certificate_the_link_keys_are_stored_encrypted_and_hosts_with_it_read_each_others_links()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var folder = Directory.CreateTempSubdirectory("link-keys-");
        try
        {
            var pfx = Path.Combine(folder.FullName, "links.pfx");
            using (var rsa = System.Security.Cryptography.RSA.Create(2048))
            {
                var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Feedback link keys", rsa,
                    System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
            }
            Dictionary<string, string> Settings(string path, string password) => new(LinkFlow.HostSettings(_smtp.Port, "http://localhost"))
            {
                ["Links:KeyCertificatePath"] = path, ["Links:KeyCertificatePassword"] = password,
            };

            await using var first = new StudioTestHost(database.ConnectionString, kestrel: false, Settings(pfx, "pfx-password"));
            var minted = first.Services.GetRequiredService<LinkTokens>().Issue(new ActionLinkRequest(ActionLinkKind.CasePage, "FB-2026-000001", "FB-2026-000001"));
            await using (var db = await first.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Feedback.Activities.Persistence.FeedbackDbContext>>().CreateDbContextAsync())
            {
                var keys = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.DataProtectionKeys);
                keys.Should().NotBeEmpty().And.OnlyContain(k => k.Xml.Contains("encryptedSecret") && !k.Xml.Contains("<masterKey"),
                    "the signing key is stored encrypted with the certificate, not in the clear");
            }

            await using var second = new StudioTestHost(database.ConnectionString, kestrel: false, Settings(pfx, "pfx-password"));
            second.Services.GetRequiredService<LinkTokens>().Read(minted).Subject.Should().Be("FB-2026-000001");

            await using var misconfigured = new StudioTestHost(database.ConnectionString, kestrel: false, Settings(pfx, "wrong-password"));
            var start = () => misconfigured.Services;
            start.Should().Throw<InvalidOperationException>().WithMessage($"Links:KeyCertificatePath '{pfx}' cannot be loaded:*");
        }
        finally { folder.Delete(recursive: true); }
    }

    private async Task<string> SubmitAsync(string email)
    {
        var created = await _api.PostJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = email, ["language"] = "zh-CN",
            ["content"] = "红烧猪肉罐头胀罐了，打开有酸臭味，要求退货。",
        });
        return (string)created["number"]!;
    }

    private async Task<JsonObject> OpenTaskAsync(string number, string title)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if ((await OpenTasksAsync(number)).FirstOrDefault(t => (string?)t["title"] == title) is { } task) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"No open task '{title}' on {number}.");
            await Task.Delay(200);
        }
    }

    private async Task<IReadOnlyList<string>> AuditActionsAsync(string number) =>
        (await _api.GetJsonAsync($"/api/feedback/{number}/audit"))["entries"]!.AsArray().Select(e => (string)e!["action"]!).ToList();

    private async Task<IReadOnlyList<JsonObject>> OpenTasksAsync(string number) =>
        (await _api.GetJsonAsync($"/api/tasks?caseNumber={number}&status=Open"))["items"]!.AsArray().OfType<JsonObject>().ToList();

    private Task<JsonObject> TaskAsync(string id) => _api.GetJsonAsync($"/api/tasks/{id}");

    private async Task<string> EmailOfAsync(string user)
    {
        var directory = await _api.GetJsonAsync("/api/admin/directory");
        return (string)directory["staff"]!.AsArray().Single(s => (string?)s!["userName"] == user)!["email"]!;
    }

    private static string AntiforgeryToken(string page) => AntiforgeryField().Match(page).Groups[1].Value;

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)).Prepend(KeyValuePair.Create("__af", token)));

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
