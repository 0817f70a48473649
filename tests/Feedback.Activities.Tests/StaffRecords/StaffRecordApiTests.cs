using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.StaffRecords;

/// <summary>
/// Staff word-of-mouth records through the staff API on PostgreSQL. hana heads quality, tom and sam are quality
/// staff, lou heads logistics, desk is the complaint desk, audrey an auditor, po the process owner.
/// </summary>
public sealed class StaffRecordApiTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;
    /// <summary>Taken before the test's first record: the summaries cover every day since.</summary>
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

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
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Only_confirmed_records_count_in_the_summary_and_credited_suggestions_go_to_their_author()
    {
        var r1 = await CreateAsync("tom", "sam", new() { ["kind"] = "WorkPerformance", ["source"] = "Colleague", ["text"] = "Always ready.", ["suggestion"] = "Label the shelves." });
        var r2 = await CreateAsync("tom", "hana", new() { ["kind"] = "Teamwork", ["source"] = "Supervisor", ["text"] = "Helped logistics." });
        var r3 = await CreateAsync("tom", "desk", new() { ["kind"] = "ServiceAttitude", ["source"] = "Customer", ["anonymous"] = true, ["text"] = "Very kind." });
        var r4 = await CreateAsync("tom", null, new() { ["kind"] = "Violation", ["source"] = "Customer", ["customerName"] = "王女士", ["text"] = "Was rude." });
        await CreateAsync("tom", "sam", new() { ["kind"] = "Violation", ["source"] = "Colleague", ["anonymous"] = true, ["text"] = "Late twice." });

        var before = await _api.GetAsStaffAsync($"/api/staff/tom/records/summary?period={ReportPeriods.Since(_start)}", "tom");
        ((int)before["confirmed"]!, (int)before["disputed"]!).Should().Be((0, 0), "nothing is published before tom answers");

        foreach (var id in new[] { r1, r2, r3 }) (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/confirm", "tom")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{r4}/dispute", "tom", new() { ["comment"] = "I was not on shift that day." })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{r1}/credit", "hana")).StatusCode.Should().Be(HttpStatusCode.OK);

        // By hand: r1 (colleague, work performance), r2 (supervisor, teamwork), r3 (customer, attitude) are published;
        // r4 is disputed and counts only as such; the fifth awaits tom's answer and counts nowhere.
        var tom = await _api.GetAsStaffAsync($"/api/staff/tom/records/summary?period={ReportPeriods.Since(_start)}", "hana");
        ((int)tom["confirmed"]!, (int)tom["disputed"]!, (int)tom["creditedSuggestions"]!).Should().Be((3, 1, 0));
        Counts(tom["byKind"]!).Should().Equal(("ServiceAttitude", 1), ("Teamwork", 1), ("Violation", 0), ("WorkPerformance", 1));
        Counts(tom["bySource"]!).Should().Equal(("Colleague", 1), ("Customer", 1), ("Supervisor", 1));
        var sam = await _api.GetAsStaffAsync($"/api/staff/sam/records/summary?period={ReportPeriods.Since(_start)}", "sam");
        ((int)sam["confirmed"]!, (int)sam["creditedSuggestions"]!).Should().Be((0, 1), "sam's suggestion in r1 was credited");
    }

    [Fact]
    public async Task Anonymous_records_keep_no_author_in_the_record_or_the_audit_trail()
    {
        var id = await CreateAsync("tom", "sam", new() { ["kind"] = "Teamwork", ["source"] = "Colleague", ["anonymous"] = true, ["text"] = "Shares the load.", ["suggestion"] = "Rotate the late shift." });

        var view = await _api.GetAsStaffAsync($"/api/staff/records/{id}", "po");
        ((string?)view["record"]!["author"], (string?)view["record"]!["source"]).Should().Be((null, "Colleague"));
        view["audit"]!.AsArray().Select(a => (string?)a!["actor"]).Should().Equal("anonymous");
        view.ToJsonString().Should().NotContain("sam");
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync())
        {
            var row = await db.StaffRecords.SingleAsync(r => r.Id == id);
            (row.Author, row.AuthorIsStaff, row.Anonymous).Should().Be((null, false, true));
            (await db.History.Where(h => h.StaffRecordId == id).Select(h => h.Actor + " " + h.Details).ToListAsync()).Should().NotContain(l => l.Contains("sam"));
        }
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/confirm", "tom")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/credit", "hana")).StatusCode.Should().Be(HttpStatusCode.Conflict, "there is no author to credit");
    }

    [Fact]
    public async Task The_evaluated_employee_and_their_head_see_a_customers_name_masked_and_the_complaint_desk_in_full()
    {
        var id = await CreateAsync("tom", "desk", new() { ["kind"] = "ServiceAttitude", ["source"] = "Customer", ["customerName"] = "王女士", ["text"] = "Patient and kind.", ["suggestion"] = "More chairs." });

        foreach (var user in new string?[] { "tom", "hana", "audrey", null })
        {
            var list = await _api.GetAsStaffAsync("/api/staff/tom/records", user);
            ((string?)list["items"]![0]!["author"]).Should().Be("王**", user ?? "an integration");
            (await TextAsync($"/api/staff/records/{id}", user)).Should().Contain("王**").And.NotContain("王女士", user ?? "an integration");
        }
        foreach (var user in new[] { "desk", "po" })
            ((string?)(await _api.GetAsStaffAsync($"/api/staff/records/{id}", user))["record"]!["author"]).Should().Be("王女士", user);

        var confirmed = await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/confirm", "tom");
        (await confirmed.Content.ReadAsStringAsync()).Should().Contain("王**").And.NotContain("王女士");
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/credit", "hana")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await TextAsync($"/api/staff/records/{id}", "tom")).Should().Contain("StaffSuggestionCredited").And.NotContain("王女士", "the credit's audit line names no customer either");
    }

    [Fact]
    public async Task Access_follows_department_scope_and_only_the_employee_answers()
    {
        var id = await CreateAsync("tom", "hana", new() { ["kind"] = "WorkPerformance", ["source"] = "Supervisor", ["text"] = "Good month." });

        foreach (var (url, user) in new[] { ("/api/staff/tom/records", "lou"), ($"/api/staff/tom/records/summary?period={ReportPeriods.Since(_start)}", "lou"), ($"/api/staff/records/{id}", "lou"),
                     ("/api/staff/tom/records", "sam") })
            (await _api.SendAsStaffAsync(HttpMethod.Get, url, user)).StatusCode.Should().Be(HttpStatusCode.Forbidden, $"{user} on {url}");
        foreach (var user in new[] { "tom", "hana", "audrey", "po" })
            (await _api.GetAsStaffAsync("/api/staff/tom/records", user))["items"]!.AsArray().Should().ContainSingle(user);

        (await _api.SendAsStaffAsync(HttpMethod.Post, "/api/staff/tom/records", "lou", new() { ["kind"] = "Teamwork", ["source"] = "Supervisor", ["text"] = "x" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "lou is not tom's supervisor");
        (await _api.SendAsStaffAsync(HttpMethod.Post, "/api/staff/tom/records", "audrey", new() { ["kind"] = "Teamwork", ["source"] = "Colleague", ["text"] = "x" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "auditors only read");
        (await _api.SendAsStaffAsync(HttpMethod.Post, "/api/staff/tom/records", "tom", new() { ["kind"] = "Teamwork", ["source"] = "Colleague", ["text"] = "x" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "nobody evaluates themselves");
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/confirm", "hana")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/dispute", "tom")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a dispute needs a comment");
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/confirm", "tom")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/records/{id}/dispute", "tom", new() { ["comment"] = "Changed my mind." })).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var bad = await _api.SendAsStaffAsync(HttpMethod.Post, "/api/staff/tom/records", "sam", new() { ["kind"] = "Gossip", ["source"] = "Colleague" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("kind: one of").And.Contain("text: required");
        await using var db = await _host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        (await db.StaffRecords.CountAsync()).Should().Be(1, "refused requests store nothing");
    }

    /// <summary>The answer as sent (customers' names unescaped), to check what it does not contain.</summary>
    private async Task<string> TextAsync(string url, string? user) => await (await _api.SendAsStaffAsync(HttpMethod.Get, url, user)).Content.ReadAsStringAsync();

    private static List<(string, int)> Counts(JsonNode node) =>
        node.AsObject().Select(p => (p.Key, (int)p.Value!)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();

    private async Task<long> CreateAsync(string employee, string? user, JsonObject body)
    {
        var response = await _api.SendAsStaffAsync(HttpMethod.Post, $"/api/staff/{employee}/records", user, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return (long)JsonNode.Parse(text)!["id"]!;
    }
}
