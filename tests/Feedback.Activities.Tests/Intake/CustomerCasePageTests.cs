using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Links;
using Feedback.Host.Links;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Intake;

/// <summary>The page a customer follows their case on, through the link in their mail.</summary>
public sealed class CustomerCasePageTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        var definition = new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("handled")))).Build("general-feedback", "General feedback");
        (await _host.Api().PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Times_are_on_the_company_clock_with_its_offset_named()
    {
        await using var shanghai = _host.WithWebHostBuilder(b => b.UseSetting("Reports:TimeZone", "Asia/Shanghai"));
        var entered = await shanghai.Services.GetRequiredService<Feedback.Activities.Cases.CaseService>().RegisterAsync(new Feedback.Activities.Cases.CaseRegistration
        {
            Channel = Feedback.Activities.Cases.FeedbackChannel.Phone, Anonymous = true, Language = "en", Content = "The can was dented.",
            ReceivedAt = new DateTimeOffset(2026, 11, 24, 23, 59, 0, TimeSpan.Zero),
        }, "li.na", "staff entry", null, CancellationToken.None);
        var number = entered.Case.Number;

        var link = "/l/" + shanghai.Services.GetRequiredService<LinkTokens>().Issue(new ActionLinkRequest(ActionLinkKind.CasePage, number, number));
        var response = await shanghai.CreateClient().GetAsync(link);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        response.StatusCode.Should().Be(HttpStatusCode.OK, page);
        page.Should().Contain("<dd>2026-11-25 07:59 (UTC+08:00)</dd>").And.NotContain("2026-11-24").And.NotContain(" UTC<");
        // The history's line for the registration, made just now, is on the same clock.
        var registered = TimeZoneInfo.ConvertTime(entered.Case.CreatedAt, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        page.Should().Contain($"<li><span class=\"muted\">{registered:yyyy-MM-dd HH:mm} (UTC+08:00)</span> Your feedback was received</li>");
    }

    [Fact]
    public async Task A_duplicate_names_the_case_it_is_handled_with_and_the_customers_own_mail_shows_as_received()
    {
        var cases = _host.Services.GetRequiredService<Feedback.Activities.Cases.CaseService>();
        async Task<Feedback.Activities.Cases.FeedbackCase> EnterAsync() => (await cases.RegisterAsync(new Feedback.Activities.Cases.CaseRegistration
        {
            Channel = Feedback.Activities.Cases.FeedbackChannel.Phone, Anonymous = true, Language = "en", Content = "The can was dented.",
        }, "li.na", "staff entry", null, CancellationToken.None)).Case;
        var original = await EnterAsync();
        var duplicate = await EnterAsync();
        await using (var db = await _host.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Feedback.Activities.Persistence.FeedbackDbContext>>().CreateDbContextAsync())
        {
            var row = await db.Cases.FindAsync(duplicate.Id);
            row!.DuplicateOf = original.Number;
            row.Status = Feedback.Activities.Cases.CaseStatus.Closed;
            db.History.Add(new Feedback.Activities.Cases.CaseHistoryEntry { CaseId = duplicate.Id, At = DateTimeOffset.UtcNow, Actor = "customer", Via = "mail", Action = "CustomerMessage", Details = "mail" });
            await db.SaveChangesAsync();
        }

        var link = "/l/" + _host.Services.GetRequiredService<LinkTokens>().Issue(new ActionLinkRequest(ActionLinkKind.CasePage, duplicate.Number, duplicate.Number));
        var page = WebUtility.HtmlDecode(await (await _host.CreateClient().GetAsync(link)).Content.ReadAsStringAsync());
        page.Should().Contain($"This is the same matter as your feedback {original.Number}; we handle them together there.")
            .And.NotContain("This feedback is settled").And.Contain("Your message was received");
    }

    [Fact]
    public async Task An_expired_link_is_explained_in_the_cases_language_with_a_contact_in_that_language()
    {
        var cases = _host.Services.GetRequiredService<Feedback.Activities.Cases.CaseService>();
        async Task<string> ExpiredLinkOfCaseIn(string language)
        {
            var entered = await cases.RegisterAsync(new Feedback.Activities.Cases.CaseRegistration
            {
                Channel = Feedback.Activities.Cases.FeedbackChannel.Phone, Anonymous = true, Language = language, Content = "The can was dented.",
            }, "li.na", "staff entry", null, CancellationToken.None);
            var expired = new LinkTokens(_host.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(),
                new MailLinkOptions { CasePageLifetime = TimeSpan.FromMinutes(-1) }, _host.Services.GetRequiredService<Feedback.Workflows.Runtime.IClock>());
            return "/l/" + expired.Issue(new ActionLinkRequest(ActionLinkKind.CasePage, entered.Case.Number, entered.Case.Number));
        }

        // A browser that prefers Chinese opens the link of an English case.
        var browser = _host.CreateClient();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var english = await browser.GetAsync(await ExpiredLinkOfCaseIn("en"));
        english.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await english.Content.ReadAsStringAsync()).Should().Contain("This link has expired").And.Contain("For help, contact: the customer feedback centre");

        browser.DefaultRequestHeaders.AcceptLanguage.Clear();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var chinese = await browser.GetAsync(await ExpiredLinkOfCaseIn("zh-CN"));
        (await chinese.Content.ReadAsStringAsync()).Should().Contain("链接已过期").And.Contain("如需帮助，请联系：客户反馈中心").And.NotContain("centre");
    }
}
