using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Reports;

/// <summary>
/// Department scope and masking through the HTTP API on PostgreSQL. Case 1 is quality's (owner sam), case 2 logistics'.
/// hana heads quality, lou heads logistics, tom is quality staff, desk is the complaint desk, audrey an auditor.
/// </summary>
public sealed class AccessApiTests : IAsyncLifetime
{
    private const string Quality = "FB-2026-000001", Logistics = "FB-2026-000002";
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;
    // The report month (Asia/Shanghai) of the cases' arrival, not of the moment a request is made: a run may cross a month's end.
    private string _month = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _api = _host.Api();
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        db.Staff.AddRange(
            Member("hana", "quality", StaffRole.DepartmentHead), Member("tom", "quality", StaffRole.Staff), Member("sam", "quality", StaffRole.Staff),
            Member("lou", "logistics", StaffRole.DepartmentHead), Member("desk", "desk", StaffRole.ComplaintDesk), Member("audrey", "audit", StaffRole.Auditor),
            Member("po", "desk", StaffRole.ProcessOwner));
        var now = DateTimeOffset.UtcNow;
        _month = $"{now.ToOffset(TimeSpan.FromHours(8)):yyyy-MM}";
        db.Cases.AddRange(Case(Quality, "quality", "sam", now), Case(Logistics, "logistics", null, now));
        db.Tasks.AddRange(Task("t-quality", Quality, "quality"), Task("t-logistics", Logistics, "logistics"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_department_head_cannot_read_another_departments_case_on_any_route()
    {
        foreach (var url in new[] { $"/api/feedback/{Quality}", $"/api/feedback/{Quality}/audit", "/api/tasks/t-quality", "/api/reports/figures?department=quality",
                     "/api/reports/trend?department=quality", "/api/reports/figures.csv?department=quality", "/api/reports/cases.csv?department=quality" })
            (await _api.SendAsStaffAsync(HttpMethod.Get, url, "lou")).StatusCode.Should().Be(HttpStatusCode.Forbidden, url);

        (await _api.GetAsStaffAsync($"/api/feedback/{Logistics}", "lou"))["number"]!.GetValue<string>().Should().Be(Logistics);
        var tasks = (await _api.GetAsStaffAsync("/api/tasks", "lou"))["items"]!.AsArray();
        tasks.Select(t => (string?)t!["id"]).Should().Equal("t-logistics");
        // Without a department, lou's reports are logistics' only.
        var figures = await _api.GetAsStaffAsync($"/api/reports/figures?period={_month}", "lou");
        ((string?)figures["department"], (long)figures["total"]!["cases"]!).Should().Be(("logistics", 1L));
        var cases = await (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/reports/cases.csv?period={_month}", "lou")).Content.ReadAsStringAsync();
        cases.Should().Contain(Logistics).And.NotContain(Quality);
    }

    [Fact]
    public async Task Staff_see_masked_contacts_in_the_case_and_the_export_and_may_not_reveal_them()
    {
        var view = await _api.GetAsStaffAsync($"/api/feedback/{Quality}", "tom");
        ((string?)view["customerName"], (string?)view["customerPhone"], (string?)view["customerEmail"]).Should().Be(("王**", "****0001", "w***@example.cn"));
        (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/feedback/{Quality}?reveal=contacts", "tom")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var export = await (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/reports/cases.csv?period={_month}&reveal=contacts", "tom")).Content.ReadAsStringAsync();
        export.Should().Contain(Quality).And.Contain("****0001").And.Contain("w***@example.cn").And.NotContain("wang@").And.NotContain("0000 0001");
        (await AuditAsync(Quality)).Should().NotContain(a => a.StartsWith("ContactsRevealed"));
    }

    [Fact]
    public async Task Every_reveal_is_audited()
    {
        var view = await _api.GetAsStaffAsync($"/api/feedback/{Quality}?reveal=contacts", "hana");
        ((string?)view["customerPhone"], (string?)view["customerEmail"]).Should().Be(("+86 138 0000 0001", "wang@example.cn"));
        var owner = await _api.GetAsStaffAsync($"/api/feedback/{Quality}?reveal=contacts", "sam");
        ((string?)owner["customerName"]).Should().Be("王女士", "the case owner calls the customer back");
        var export = await (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/reports/cases.csv?period={_month}&reveal=contacts", "desk")).Content.ReadAsStringAsync();
        export.Should().Contain("wang@example.cn").And.Contain("li@example.cn");

        (await AuditAsync(Quality)).Should().Equal("ContactsRevealed by hana via api", "ContactsRevealed by sam via api", "ContactsRevealed by desk via export");
        (await AuditAsync(Logistics)).Should().Equal("ContactsRevealed by desk via export");
    }

    [Fact]
    public async Task Integrations_and_auditors_read_every_case_masked()
    {
        foreach (var user in new string?[] { null, "audrey" })
        {
            ((string?)(await _api.GetAsStaffAsync($"/api/feedback/{Quality}", user))["customerEmail"]).Should().Be("w***@example.cn");
            ((string?)(await _api.GetAsStaffAsync($"/api/feedback/{Logistics}", user))["customerEmail"]).Should().Be("l***@example.cn");
            (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/feedback/{Quality}?reveal=contacts", user)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await _api.GetAsStaffAsync("/api/tasks", user))["items"]!.AsArray().Should().HaveCount(2);
        }
    }

    [Fact]
    public async Task Cases_about_a_member_are_left_out_of_their_task_list_and_case_export_whatever_their_role()
    {
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            await db.Cases.Where(c => c.Number == Logistics).ExecuteUpdateAsync(s => s.SetProperty(c => c.ComplainedAbout, "po"));

        (await _api.GetAsStaffAsync($"/api/tasks?caseNumber={Logistics}", "po"))["items"]!.AsArray().Should().BeEmpty();
        (await _api.GetAsStaffAsync("/api/tasks", "po"))["items"]!.AsArray().Select(t => (string?)t!["id"]).Should().Equal("t-quality");
        var export = await (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/reports/cases.csv?period={_month}", "po")).Content.ReadAsStringAsync();
        export.Should().Contain(Quality).And.NotContain(Logistics);

        // Everyone else organisation-wide still sees the case.
        (await _api.GetAsStaffAsync($"/api/tasks?caseNumber={Logistics}", "desk"))["items"]!.AsArray().Should().HaveCount(1);
        (await (await _api.SendAsStaffAsync(HttpMethod.Get, $"/api/reports/cases.csv?period={_month}", "desk")).Content.ReadAsStringAsync()).Should().Contain(Logistics);
    }

    [Fact]
    public async Task Only_process_owners_place_legal_holds_with_a_reason()
    {
        var body = new JsonObject { ["hold"] = true, ["reason"] = "Lawsuit." };
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/legal-hold", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/legal-hold", "po", new JsonObject { ["hold"] = true })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/legal-hold", "po", body)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await AuditAsync(Quality)).Should().Equal("LegalHoldPlaced by po via api");
    }

    [Fact]
    public async Task Only_who_runs_the_case_pauses_and_resumes_its_clocks()
    {
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
            await db.Cases.Where(c => c.Number == Quality).ExecuteUpdateAsync(s => s.SetProperty(c => c.HelperDepartments, ["logistics"]));
        var pause = new JsonObject { ["reason"] = "Waiting for the customer's photos." };

        // The auditor reads every case, logistics helps with this one: neither runs it.
        foreach (var user in new[] { "audrey", "lou" })
        {
            (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/sla/pause", user, pause)).StatusCode.Should().Be(HttpStatusCode.Forbidden, user);
            (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/sla/resume", user)).StatusCode.Should().Be(HttpStatusCode.Forbidden, user);
        }
        (await AuditAsync(Quality)).Should().BeEmpty();

        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/sla/pause", "hana", pause)).StatusCode.Should().Be(HttpStatusCode.OK, "hana heads the lead department");
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/sla/resume", "sam")).StatusCode.Should().Be(HttpStatusCode.OK, "sam owns the case");
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{Quality}/sla/pause", "desk", pause)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await AuditAsync(Quality)).Should().Equal("SlaPaused by hana via api", "SlaResumed by sam via api", "SlaPaused by desk via api");
    }

    [Fact]
    public async Task Bad_report_requests_get_a_clear_400()
    {
        var response = await _api.SendAsStaffAsync(HttpMethod.Get, "/api/reports/figures?period=2026-13", null);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("not a period");
        (await _api.SendAsStaffAsync(HttpMethod.Get, "/api/reports/figures?by=weekday", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _api.SendAsStaffAsync(HttpMethod.Get, "/api/reports/figures?period=2026-03-10..2026-03-01", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _host.CreateClient().GetAsync("/api/reports/figures")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_dashboard_needs_the_admin_sign_in_and_shows_charts_tables_and_exports()
    {
        var browser = _host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var anonymous = await browser.GetAsync("/studio/reports");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Redirect);
        anonymous.Headers.Location!.ToString().Should().StartWith("/studio/signin");

        var token = _host.Services.GetRequiredService<Feedback.Host.Studio.StudioTokens>().Issue("admin");
        browser.DefaultRequestHeaders.Add("Cookie", $"feedback_studio={token.Value}");
        var month = _month;
        var page = await browser.GetStringAsync($"/studio/reports?period={month}");
        page.Should().Contain("<svg").And.Contain("<table").And.Contain("quality").And.Contain("logistics")
            .And.Contain("/studio/reports/trend.csv?").And.Contain("/studio/reports/figures.csv?by=department&amp;");
        var csv = await browser.GetStringAsync($"/studio/reports/figures.csv?by=department&period={month}");
        csv.Should().Contain("department,cases,negative_reviews").And.Contain("\r\nquality,1,").And.Contain("(total),2,");

        (await browser.GetStringAsync($"/studio/reports/cases.csv?period={month}&reveal=contacts")).Should().Contain("wang@example.cn");
        (await AuditAsync(Quality)).Should().Equal("ContactsRevealed by admin via export");
    }

    [Fact]
    public async Task A_bad_period_on_the_dashboard_or_its_exports_gets_a_400_that_says_what_is_wrong()
    {
        var browser = _host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var token = _host.Services.GetRequiredService<Feedback.Host.Studio.StudioTokens>().Issue("admin");
        browser.DefaultRequestHeaders.Add("Cookie", $"feedback_studio={token.Value}");
        foreach (var url in new[] { "/studio/reports?period=2026-13", "/studio/reports/cases.csv?period=2026-13", "/studio/reports/figures.csv?by=weekday", "/studio/reports/cases.csv?reveal=everything" })
        {
            var response = await browser.GetAsync(url);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, url);
            (await response.Content.ReadAsStringAsync()).Should().Contain("The report request is not valid", url);
        }
    }

    private async Task<List<string>> AuditAsync(string number) =>
        (await _api.GetAsStaffAsync($"/api/feedback/{number}/audit", "po"))["entries"]!.AsArray()
            .Select(e => $"{(string?)e!["action"]} by {(string?)e["actor"]} via {(string?)e["via"]}").ToList();

    private static FeedbackCase Case(string number, string department, string? owner, DateTimeOffset now) => new()
    {
        Number = number, Content = "罐头胀罐了。", ReceivedAt = now, Channel = FeedbackChannel.WebForm, LeadDepartment = department, Owner = owner,
        CustomerName = department == "quality" ? "王女士" : "李先生", CustomerPhone = department == "quality" ? "+86 138 0000 0001" : "+86 139 0000 0002",
        CustomerEmail = department == "quality" ? "wang@example.cn" : "li@example.cn", Category = FeedbackCategory.ProductQuality,
        WorkflowInstanceId = "wf-" + number, WorkflowDefinitionId = "general-feedback", CreatedAt = now, UpdatedAt = now,
    };

    private static FeedbackTask Task(string id, string number, string department) => new()
    {
        Id = id, WorkflowInstanceId = "wf-" + number, BookmarkId = "b-" + id, ActivityId = "plan", CaseNumber = number, Title = "Plan",
        Role = nameof(StaffRole.Staff), DepartmentId = department, CreatedAt = DateTimeOffset.UtcNow,
    };
}
