using Feedback.Activities.Access;
using Feedback.Activities.Organization;
using Feedback.Activities.Reports;
using Feedback.Activities.StaffRecords;
using Feedback.Activities.Tests.Reports;

namespace Feedback.Activities.Tests.StaffRecords;

/// <summary>
/// The record service on both providers with a fixed clock: the summary's period follows the report calendar
/// (Asia/Shanghai), confirmation gates publishing, and a credit counts in the month it was given.
/// </summary>
public abstract class StaffRecordServiceTests(bool postgres) : IAsyncLifetime
{
    private readonly MovableClock _clock = new(new DateTimeOffset(2026, 3, 31, 15, 0, 0, TimeSpan.Zero)); // 23:00 local, 31 March
    private ReportDatabase _db = null!;
    private StaffRecordService _records = null!;
    private readonly Dictionary<string, Actor> _actors = new();

    public async Task InitializeAsync()
    {
        _db = await ReportDatabase.CreateAsync(postgres);
        _records = new StaffRecordService(_db, new ReportOptions(), _clock);
        await using var db = _db.CreateDbContext();
        foreach (var (user, role) in new[] { ("hana", StaffRole.DepartmentHead), ("tom", StaffRole.Staff), ("sam", StaffRole.Staff) })
        {
            var member = new StaffMember { UserName = user, DisplayName = user, DepartmentId = "quality", Roles = [role] };
            db.Staff.Add(member);
            _actors[user] = new Actor(user, member);
        }
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task The_summary_counts_confirmed_records_of_the_local_month_and_credits_in_the_month_given()
    {
        var march = await CreateAsync("sam", "Colleague", "Teamwork", suggestion: "Pair on the night shift.");
        await _records.ConfirmAsync(_actors["tom"], march.Id, null, "test", default);
        var unanswered = await CreateAsync("hana", "Supervisor", "Violation");
        _clock.Now = _clock.Now.AddHours(2); // 01:00 local, 1 April
        var april = await CreateAsync("hana", "Supervisor", "WorkPerformance");
        await _records.DisputeAsync(_actors["tom"], april.Id, "Wrong person.", "test", default);
        await _records.CreditSuggestionAsync(_actors["hana"], march.Id, "test", default);

        var inMarch = await _records.SummaryAsync(_actors["hana"], "tom", ReportPeriod.Month(2026, 3), default);
        (inMarch.Confirmed, inMarch.Disputed, inMarch.ByKind["Teamwork"], inMarch.ByKind["Violation"], inMarch.BySource["Colleague"]).Should().Be((1, 0, 1, 0, 1),
            $"record {unanswered.Id} awaits tom's answer and is not counted");
        var inApril = await _records.SummaryAsync(_actors["tom"], "tom", ReportPeriod.Month(2026, 4), default);
        (inApril.Confirmed, inApril.Disputed, inApril.ByKind.Values.Sum()).Should().Be((0, 1, 0));
        (await _records.SummaryAsync(_actors["sam"], "sam", ReportPeriod.Month(2026, 4), default)).CreditedSuggestions.Should().Be(1, "credited on 1 April local time");
        (await _records.SummaryAsync(_actors["sam"], "sam", ReportPeriod.Month(2026, 3), default)).CreditedSuggestions.Should().Be(0);

        var (_, audit) = await _records.GetAsync(_actors["hana"], march.Id, default);
        audit.Select(a => $"{a.Action} {a.Actor}").Should().Equal("StaffRecordCreated sam", "StaffRecordConfirmed tom", "StaffSuggestionCredited hana");
        var sam = () => _records.SummaryAsync(_actors["sam"], "tom", ReportPeriod.Month(2026, 3), default);
        await sam.Should().ThrowAsync<AccessDeniedException>();
    }

    private Task<StaffRecord> CreateAsync(string author, string source, string kind, string? suggestion = null) =>
        _records.CreateAsync(_actors[author], new NewStaffRecord("tom", kind, source, false, "Text.", suggestion, null), "test", default);

    private sealed class MovableClock(DateTimeOffset now) : Feedback.Workflows.Runtime.IClock
    {
        public DateTimeOffset Now { get; set; } = now;
        public DateTimeOffset UtcNow => Now;
    }
}

public sealed class PostgresStaffRecordServiceTests() : StaffRecordServiceTests(postgres: true);

public sealed class SqliteStaffRecordServiceTests() : StaffRecordServiceTests(postgres: false);
