using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>Finding cases through <c>GET /api/feedback</c> on PostgreSQL: by the customer's contact and by state, within what the reader may see.</summary>
public sealed class CaseSearchTests : CaseFlagTestHost
{
    [Fact]
    public async Task The_complaint_desk_finds_a_callers_cases_by_phone_or_e_mail_and_narrows_them_by_state()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var first = await RegisterAsync(phone: "+86 139 1234 5678", email: null);
        var second = await RegisterAsync(phone: "139-1234-5678", email: "zhou@example.cn");
        var other = await RegisterAsync(phone: "+86 137 0000 0000", email: null);
        await SetAsync(first, c => c.Status = Feedback.Activities.Cases.CaseStatus.Closed);

        Numbers(await FindAsync("desk", "contact=13912345678")).Should().Equal(second, first);
        Numbers(await FindAsync("desk", "contact=ZHOU@example.cn")).Should().Equal(second);
        Numbers(await FindAsync("desk", "contact=13912345678&open=true")).Should().Equal(second);
        Numbers(await FindAsync("desk", "status=closed")).Should().Equal(first);
        var page = await FindAsync("desk", "pageSize=2&page=1");
        ((int)page["totalCount"]!).Should().Be(3);
        Numbers(page).Should().Equal(first);
        ((string?)(await FindAsync("desk", $"contact=13700000000"))["items"]![0]!["customerName"]).Should().Be("王**", "names stay masked in lists");
        Numbers(await FindAsync("desk", "from=2000-01-01&to=2000-02-01")).Should().BeEmpty();
        other.Should().NotBeNull();
    }

    [Fact]
    public async Task Overdue_lists_the_open_cases_past_their_due_time_the_longest_overdue_first()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var late = await RegisterAsync(phone: "13912345678", email: null);
        var later = await RegisterAsync(phone: "13912345678", email: null);
        var due = await RegisterAsync(phone: "13912345678", email: null);
        var answered = await RegisterAsync(phone: "13912345678", email: null);
        var now = DateTimeOffset.UtcNow;
        await SetAsync(late, c => c.DueAt = now.AddDays(-3));
        await SetAsync(later, c => c.DueAt = now.AddHours(-1));
        await SetAsync(due, c => c.DueAt = now.AddDays(2));
        await SetAsync(answered, c => (c.DueAt, c.Status) = (now.AddDays(-5), Feedback.Activities.Cases.CaseStatus.Replied));

        Numbers(await FindAsync("desk", "overdue=true")).Should().Equal(late, later);
    }

    [Fact]
    public async Task A_department_head_finds_only_cases_of_their_department_and_never_one_about_them()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var led = await RegisterAsync(phone: "13912345678", email: null);
        var helped = await RegisterAsync(phone: "13912345678", email: null);
        var about = await RegisterAsync(phone: "13912345678", email: null);
        var elsewhere = await RegisterAsync(phone: "13912345678", email: null);
        await SetAsync(led, c => c.LeadDepartment = "quality");
        await SetAsync(helped, c => (c.LeadDepartment, c.HelperDepartments) = ("desk", ["quality"]));
        await SetAsync(about, c => (c.LeadDepartment, c.ComplainedAbout) = ("quality", "hana"));
        await SetAsync(elsewhere, c => c.LeadDepartment = "desk");

        Numbers(await FindAsync("hana", "contact=13912345678")).Should().BeEquivalentTo([led, helped]);
        Numbers(await FindAsync("desk", "contact=13912345678")).Should().HaveCount(4);
        Numbers(await FindAsync("desk", "department=quality")).Should().BeEquivalentTo([led, about]);
    }

    [Fact]
    public async Task A_query_that_does_not_parse_is_a_400_naming_the_parameter()
    {
        foreach (var (query, error) in new[]
                 {
                     ("status=lost", "status: 'lost' is not one of"), ("category=food", "category: 'food'"), ("from=yesterday", "from: 'yesterday'"),
                     ("from=2026-02-01&to=2026-01-01", "to: must be after from."), ("pageSize=0", "pageSize: 1 to 200."), ("page=x", "page: 'x'"),
                     ("open=maybe", "open: true or false."), ("contact=12", "contact: an e-mail address, or a phone number"),
                 })
        {
            var response = await Api.SendAsStaffAsync(HttpMethod.Get, $"/api/feedback?{query}", "desk", null);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, query);
            (await response.Content.ReadAsStringAsync()).Should().Contain(error, query);
        }
    }

    private async Task<string> RegisterAsync(string? phone, string? email)
    {
        var response = await Host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerPhone"] = phone, ["customerEmail"] = email, ["language"] = "zh-CN",
            ["content"] = "罐头有问题。",
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    private async Task SetAsync(string number, Action<Feedback.Activities.Cases.FeedbackCase> change)
    {
        await using var db = await Host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        change(await db.Cases.SingleAsync(c => c.Number == number));
        await db.SaveChangesAsync();
    }

    private async Task<JsonObject> FindAsync(string user, string query)
    {
        var response = await Api.SendAsStaffAsync(HttpMethod.Get, $"/api/feedback?{query}", user, null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static List<string> Numbers(JsonObject page) => page["items"]!.AsArray().Select(i => (string)i!["number"]!).ToList();
}
