using Feedback.Activities.Cases;
using Feedback.Activities.Reports;

namespace Feedback.Activities.Tests.Reports;

/// <summary>
/// Every metric on a small crafted data set whose answers are worked out by hand below. The report calendar is
/// Asia/Shanghai (UTC+8): March 2026 runs from 2026-02-28T16:00Z to 2026-03-31T16:00Z. Repeat window: 90 days.
/// </summary>
/// <remarks>
/// The cases (q = quality, l = logistics):
/// <code>
/// #   dept cat  channel     customer   received (UTC)      1st resp  resolved   due        satisfied rework esc  other
/// c1  q    PQ   WebForm     a@x.cn     03-02 02:00         2 h       +48 h      03-05 ok   yes       0      0    product "Luncheon Meat 340g"
/// c2  q    PQ   ECommerce   b@x.cn     03-10 00:00         4 h       +96 h      03-12 late no        1      1    same product: repeat
/// c3  q    PQ   SocialMed.  A@X.cn     03-20 00:00         1 h       -          04-02      -         0      0    same customer as c1: repeat
/// c4  l    DL   Phone       +86 138…   03-15 00:00         10 h      +24 h      03-18 ok   yes       2      2
/// c5  l    DL   ECommerce   e@x.cn     03-16 00:00         100 s     -          -          -         0      0    malicious
/// c6  l    Oth  WebForm     anonymous  02-28 17:00 (03-01 01:00 local)  -  -    -          -         0      0
/// c7  l    Oth  WebForm     f@x.cn     02-28 15:00 (02-28 23:00 local, February)  resolved 03-04, due 03-03: late
/// c8  q    SA   Email       d@x.cn     2025-11-01 00:00 (too early to make c9 a repeat)
/// c9  q    SA   Email       d@x.cn     03-10 05:00
/// c10 q    PQ   ECommerce   d@x.cn     03-05 00:00         -         +1 h       03-06 ok   -         0      0    praise for c1's product: in no figure
///                                                                                                                  but its own, and no repeat
/// </code>
/// </remarks>
public abstract class ReportFiguresTests(bool postgres) : IAsyncLifetime
{
    private const string Secret = "report-tests";
    private ReportDatabase _db = null!;
    private ReportService _reports = null!;
    private static readonly ReportPeriod March = ReportPeriod.Month(2026, 3);

    public async Task InitializeAsync()
    {
        _db = await ReportDatabase.CreateAsync(postgres);
        _reports = new ReportService(_db, new ReportOptions { CustomerKeySecret = Secret });
        await using var db = _db.CreateDbContext();
        var meat = new ProductDetails { Name = "Luncheon Meat", Model = "340g" };
        db.Cases.AddRange(
            Case(1, "quality", FeedbackCategory.ProductQuality, FeedbackChannel.WebForm, "a@x.cn", null, At(3, 2, 2), meat,
                firstResponseHours: 2, resolvedHours: 48, due: At(3, 5), satisfied: true),
            Case(2, "quality", FeedbackCategory.ProductQuality, FeedbackChannel.ECommerceReview, "b@x.cn", null, At(3, 10), meat with { Model = " 340G " },
                firstResponseHours: 4, resolvedHours: 96, due: At(3, 12), satisfied: false, rework: 1, escalation: 1),
            Case(3, "quality", FeedbackCategory.ProductQuality, FeedbackChannel.SocialMedia, " A@X.cn", null, At(3, 20), null,
                firstResponseHours: 1, due: At(4, 2)),
            Case(4, "logistics", FeedbackCategory.DeliveryLogistics, FeedbackChannel.Phone, null, "+86 138 0000 0004", At(3, 15), null,
                firstResponseHours: 10, resolvedHours: 24, due: At(3, 18), satisfied: true, rework: 2, escalation: 2),
            Case(5, "logistics", FeedbackCategory.DeliveryLogistics, FeedbackChannel.ECommerceReview, "e@x.cn", null, At(3, 16), null,
                firstResponseHours: 100 / 3600.0, malicious: "A competitor's fake order."),
            Case(6, "logistics", FeedbackCategory.Other, FeedbackChannel.WebForm, null, null, new DateTimeOffset(2026, 2, 28, 17, 0, 0, TimeSpan.Zero), null),
            Case(7, "logistics", FeedbackCategory.Other, FeedbackChannel.WebForm, "f@x.cn", null, new DateTimeOffset(2026, 2, 28, 15, 0, 0, TimeSpan.Zero), null,
                resolvedHours: 3 * 24 + 9, due: At(3, 3)),
            Case(8, "quality", FeedbackCategory.ServiceAttitude, FeedbackChannel.Email, "d@x.cn", null, new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero), null),
            Case(9, "quality", FeedbackCategory.ServiceAttitude, FeedbackChannel.Email, "d@x.cn", null, At(3, 10, 5), null),
            Case(10, "quality", FeedbackCategory.ProductQuality, FeedbackChannel.ECommerceReview, "d@x.cn", null, At(3, 5), meat,
                resolvedHours: 1, due: At(3, 6), praise: true));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task March_totals_are_the_hand_worked_figures()
    {
        var total = (await _reports.ComputeAsync(March, ReportDimension.Total, null, default)).Total;

        // Valid March cases: c1 c2 c3 c4 c6 c9 (c5 is malicious, c7 and c8 were received earlier).
        total.Cases.Should().Be(6);
        total.Malicious.Should().Be(1);
        total.Praise.Should().Be(1);
        total.NegativeReviews.Should().Be(2, "c2 (e-commerce) and c3 (social media); c5 is malicious, c10 praise");
        // Due in March: c1 (on time), c2 (late), c4 (on time), c7 (late; received in February, due in March).
        total.DueInPeriod.Should().Be(4);
        total.OnTime.Should().Be(2);
        total.OnTimeRate.Should().Be(0.5);
        total.Rectified.Should().Be(3);
        total.Satisfied.Should().Be(2);
        total.SatisfactionRate.Should().Be(0.6667);
        total.Repeats.Should().Be(2, "c2 repeats c1's product and category, c3 is c1's customer again; c9's earlier complaint is 129 days old, and c10 is praise");
        total.RepeatRate.Should().Be(0.3333);
        total.Escalated.Should().Be(2);
        total.Reworked.Should().Be(2);
        total.Reworks.Should().Be(3);
        // First responses 3600, 7200, 14400, 36000 s: median at position 1.5, p90 at 2.7.
        total.FirstResponse.Count.Should().Be(4);
        total.FirstResponse.MedianSeconds.Should().Be(10800);
        total.FirstResponse.P90Seconds.Should().BeApproximately(14400 + 0.7 * 21600, 0.001);
        // Resolutions 86400, 172800, 345600 s: median at position 1, p90 at 1.8.
        total.Resolution.Count.Should().Be(3);
        total.Resolution.MedianSeconds.Should().Be(172800);
        total.Resolution.P90Seconds.Should().BeApproximately(172800 + 0.8 * 172800, 0.001);
    }

    [Fact]
    public async Task By_department()
    {
        var report = await _reports.ComputeAsync(March, ReportDimension.Department, null, default);

        report.Rows.Select(r => r.Key).Should().Equal("quality", "logistics");
        var quality = report.Rows[0];
        (quality.Cases, quality.NegativeReviews, quality.Malicious, quality.DueInPeriod, quality.OnTime, quality.Praise).Should().Be((4L, 2L, 0L, 2L, 1L, 1L));
        (quality.Rectified, quality.Satisfied, quality.Repeats, quality.Escalated, quality.Reworked, quality.Reworks).Should().Be((2L, 1L, 2L, 1L, 1L, 1L));
        (quality.FirstResponse.Count, quality.FirstResponse.MedianSeconds).Should().Be((3, 7200));
        quality.FirstResponse.P90Seconds.Should().BeApproximately(7200 + 0.8 * 7200, 0.001);
        quality.Resolution.MedianSeconds.Should().Be(259200);
        quality.Resolution.P90Seconds.Should().BeApproximately(172800 + 0.9 * 172800, 0.001);

        var logistics = report.Rows[1];
        (logistics.Cases, logistics.NegativeReviews, logistics.Malicious, logistics.DueInPeriod, logistics.OnTime).Should().Be((2L, 0L, 1L, 2L, 1L));
        (logistics.Rectified, logistics.Satisfied, logistics.Repeats, logistics.Escalated, logistics.Reworked, logistics.Reworks).Should().Be((1L, 1L, 0L, 1L, 1L, 2L));
        logistics.FirstResponse.Should().Be(new DurationFigures(1, 36000, 36000));
        logistics.Resolution.Should().Be(new DurationFigures(1, 86400, 86400));
    }

    [Fact]
    public async Task By_category()
    {
        var rows = (await _reports.ComputeAsync(March, ReportDimension.Category, null, default)).Rows.ToDictionary(r => r.Key!);

        rows.Keys.Should().BeEquivalentTo("ProductQuality", "DeliveryLogistics", "Other", "ServiceAttitude");
        (rows["ProductQuality"].Cases, rows["ProductQuality"].Repeats, rows["ProductQuality"].DueInPeriod).Should().Be((3L, 2L, 2L));
        (rows["DeliveryLogistics"].Cases, rows["DeliveryLogistics"].Malicious, rows["DeliveryLogistics"].OnTime).Should().Be((1L, 1L, 1L));
        (rows["Other"].Cases, rows["Other"].DueInPeriod, rows["Other"].OnTime).Should().Be((1L, 1L, 0L), "c6 was received in March, c7 only fell due in it");
        (rows["ServiceAttitude"].Cases, rows["ServiceAttitude"].Repeats).Should().Be((1L, 0L));
    }

    [Fact]
    public async Task A_department_scope_sees_only_its_cases()
    {
        var report = await _reports.ComputeAsync(March, ReportDimension.Category, "quality", default);

        report.Total.Cases.Should().Be(4);
        report.Total.Malicious.Should().Be(0);
        report.Rows.Select(r => r.Key).Should().BeEquivalentTo("ProductQuality", "ServiceAttitude");
    }

    [Fact]
    public async Task Quarters_half_years_ranges_and_trends_use_the_local_calendar()
    {
        (await _reports.ComputeAsync(ReportPeriod.Parse("2026-Q1"), ReportDimension.Total, null, default)).Total.Cases.Should().Be(7, "c7 joins in February");
        (await _reports.ComputeAsync(ReportPeriod.Parse("2025-H2"), ReportDimension.Total, null, default)).Total.Cases.Should().Be(1);
        (await _reports.ComputeAsync(ReportPeriod.Parse("2026-02-28..2026-02-28"), ReportDimension.Total, null, default)).Total.Cases.Should().Be(1, "only c7 was received on 28 February local time");

        var trend = await _reports.TrendAsync(ReportPeriod.Parse("2026-01-01..2026-03-31"), null, default);
        trend.Select(p => (p.Period.Label, p.Figures.Cases)).Should().Equal(("2026-01", 0L), ("2026-02", 1L), ("2026-03", 6L));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("quality")]
    public async Task Each_month_of_a_trend_has_the_figures_of_that_months_own_report(string? department)
    {
        // c7 is received in February and due in March; c3 is due in April: on-time counts follow the due month.
        var trend = await _reports.TrendAsync(ReportPeriod.Parse("2025-10-01..2026-04-30"), department, default);

        trend.Select(p => p.Period.Label).Should().Equal("2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04");
        foreach (var point in trend)
            point.Figures.Should().Be((await _reports.ComputeAsync(point.Period, ReportDimension.Total, department, default)).Total, point.Period.Label);
        trend.Single(p => p.Period.Label == "2026-03").Figures.DueInPeriod.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Anonymisation_removes_personal_data_keeps_every_figure_and_respects_a_legal_hold()
    {
        var periods = new[] { March, ReportPeriod.Parse("2026-Q1"), ReportPeriod.Parse("2025-H2") };
        var before = await AllFiguresAsync(periods);
        var clock = new FixedClock(new DateTimeOffset(2029, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var retention = new Feedback.Activities.Retention.RetentionService(_db, new Feedback.Activities.Retention.RetentionOptions { BatchSize = 3 }, clock);
        await retention.SetLegalHoldAsync("FB-2026-000004", true, "Court case 2029-17.", "po", "api", default);
        // Case 1 has an uploaded photo and a task whose instructions quote the customer; the held case 4 has a photo too.
        await using (var db = _db.CreateDbContext())
        {
            foreach (var (number, photo) in new[] { ("FB-2026-000001", "aa01"), ("FB-2026-000004", "aa04") })
            {
                var c = db.Cases.Single(x => x.Number == number);
                c.CustomerComment = "Still smells; ring me on +86 138 0000 0001.";
                c.CustomerComments = [new CustomerWords(1, c.ReceivedAt.AddDays(3), 2, "Still smells; ring me on +86 138 0000 0001.")];
                c.Product = (c.Product ?? new ProductDetails()) with { Photos = [$"https://feedback.example.cn/photos/{photo}", "https://shop.example.cn/p/1.jpg"] };
                db.Photos.Add(new Feedback.Activities.Intake.UploadedPhoto { Id = photo, ContentType = "image/png", Content = [1, 2, 3] });
            }
            db.Tasks.Add(new Feedback.Activities.Tasks.FeedbackTask
            {
                Id = "t1", WorkflowInstanceId = "wf-1", BookmarkId = "b1", ActivityId = "plan", CaseNumber = "FB-2026-000001",
                Title = "Submit a rectification plan", Instructions = "The customer wrote: Case 1, call me on +86 138 0000 0001.",
                Status = Feedback.Activities.Tasks.FeedbackTaskStatus.Completed,
            });
            await db.SaveChangesAsync();
        }
        // Staff notes may quote the customer too. They date from the cases' active days: a note is a change to its case,
        // and a later one would have kept the case from retention.
        await using (var db = _db.CreateDbContext())
        {
            var id = (string number) => db.Cases.Single(c => c.Number == number).Id;
            db.Notes.Add(new CaseNote { CaseId = id("FB-2026-000001"), Author = "hana", At = At(3, 3), Text = "Called her on +86 138 0000 0001: the tin was bought on 2026-03-02." });
            db.Notes.Add(new CaseNote { CaseId = id("FB-2026-000004"), Author = "po", At = At(3, 16), Text = "Lawyer's letter received." });
            await db.SaveChangesAsync();
        }

        // Three years before 2029-04-01 is 2026-04-01: every case but the one on hold is due.
        (await retention.AnonymiseDueAsync(default)).Should().Be(9);
        (await retention.AnonymiseDueAsync(default)).Should().Be(0, "a second pass finds nothing left");

        await using (var db = _db.CreateDbContext())
        {
            var cases = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.Cases);
            foreach (var c in cases.Where(c => c.Number != "FB-2026-000004"))
            {
                (c.CustomerName, c.CustomerEmail, c.CustomerPhone, c.Title).Should().Be((null, null, null, null));
                c.Content.Should().Be(Feedback.Activities.Retention.RetentionService.RemovedText);
                c.CustomerComment.Should().BeNull("the customer's words about the rectification are personal data too");
                c.CustomerComments.Should().BeEmpty("every round's words too");
                c.AnonymisedAt.Should().Be(clock.UtcNow);
            }
            var held = cases.Single(c => c.Number == "FB-2026-000004");
            (held.CustomerPhone, held.AnonymisedAt).Should().Be(("+86 138 0000 0004", null));
            held.CustomerComment.Should().NotBeNull("a legal hold keeps everything");
            db.History.Count(h => h.Action == "Anonymised").Should().Be(9);
            db.Photos.Select(p => p.Id).Should().BeEquivalentTo(["aa04"], "the anonymised case's photo goes, the held one's stays");
            db.Tasks.Single(t => t.Id == "t1").Instructions.Should().BeNull();
            db.Notes.OrderBy(n => n.Id).Select(n => n.Text).Should().Equal(null, "Lawyer's letter received.");
        }
        (await AllFiguresAsync(periods)).Should().BeEquivalentTo(before, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task A_contact_search_finds_no_anonymised_case()
    {
        var clock = new FixedClock(new DateTimeOffset(2029, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var search = new CaseSearch(_db, new Feedback.Activities.FeedbackDomainOptions { Reports = new ReportOptions { CustomerKeySecret = Secret } }, clock);
        var numbers = async (string contact) =>
            (await search.FindAsync(new CaseQuery { Contact = contact }, default)).Items.Select(c => c.Number).ToList();
        (await numbers("a@x.cn")).Should().Equal("FB-2026-000003", "FB-2026-000001");
        var retention = new Feedback.Activities.Retention.RetentionService(_db, new Feedback.Activities.Retention.RetentionOptions(), clock);
        await retention.SetLegalHoldAsync("FB-2026-000004", true, "Court case 2029-17.", "po", "api", default);

        (await retention.AnonymiseDueAsync(default)).Should().Be(9);

        (await numbers("a@x.cn")).Should().BeEmpty("the customer's key stays for the repeat figures, but must not lead back to them");
        (await numbers("d@x.cn")).Should().BeEmpty();
        (await numbers("+86 138 0000 0004")).Should().Equal("FB-2026-000004");
    }

    [Fact]
    public async Task The_audit_trail_cannot_be_changed_or_deleted_in_the_database()
    {
        var audit = new Feedback.Activities.Audit.AuditTrail(_db, new FixedClock(At(4, 1)));
        await using var db = _db.CreateDbContext();
        var caseId = db.Cases.Single(c => c.Number == "FB-2026-000001").Id;
        await audit.RecordAsync(caseId, "hana", "api", "ContactsRevealed", null, default);

        var update = () => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "UPDATE feedback_case_history SET actor = 'someone else'");
        var delete = () => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "DELETE FROM feedback_case_history");
        (await update.Should().ThrowAsync<System.Data.Common.DbException>()).Which.Message.Should().Contain("append-only");
        (await delete.Should().ThrowAsync<System.Data.Common.DbException>()).Which.Message.Should().Contain("append-only");
        (await audit.ListAsync(caseId, default)).Should().ContainSingle().Which.Actor.Should().Be("hana");
    }

    private async Task<List<object>> AllFiguresAsync(IEnumerable<ReportPeriod> periods)
    {
        var all = new List<object>();
        foreach (var period in periods)
            foreach (var by in Enum.GetValues<ReportDimension>())
                all.Add(await _reports.ComputeAsync(period, by, null, default));
        all.Add(await _reports.TrendAsync(ReportPeriod.Parse("2025-10-01..2026-04-30"), null, default));
        return all;
    }

    private sealed class FixedClock(DateTimeOffset now) : Feedback.Workflows.Runtime.IClock
    {
        public DateTimeOffset UtcNow => now;
    }

    private static DateTimeOffset At(int month, int day, int hour = 0) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static FeedbackCase Case(int n, string department, FeedbackCategory category, FeedbackChannel channel, string? email, string? phone, DateTimeOffset received,
        ProductDetails? product, double? firstResponseHours = null, double? resolvedHours = null, DateTimeOffset? due = null, bool? satisfied = null,
        int rework = 0, int escalation = 0, string? malicious = null, bool praise = false)
    {
        var feedback = new FeedbackCase
        {
            Number = $"FB-2026-{n:000000}", Content = $"Case {n}", ReceivedAt = received, Channel = channel, Anonymous = email is null && phone is null,
            CustomerName = email is null && phone is null ? null : $"Customer {n}", CustomerEmail = email, CustomerPhone = phone, Product = product,
            Category = category, LeadDepartment = department, DueAt = due, CustomerSatisfied = satisfied, ReworkCount = rework, EscalationLevel = escalation,
            MaliciousReason = malicious, Praise = praise, WorkflowInstanceId = $"wf-{n}", WorkflowDefinitionId = "general-feedback", CreatedAt = received, UpdatedAt = received,
        };
        CaseFacts.OnRegistration(feedback, Secret);
        if (firstResponseHours is { } f)
            (feedback.FirstResponseAt, feedback.FirstResponseSeconds) = (received.AddSeconds(Math.Round(f * 3600)), (long)Math.Round(f * 3600));
        if (resolvedHours is { } r)
            (feedback.ResolvedAt, feedback.ResolutionSeconds) = (received.AddHours(r), (long)(r * 3600));
        return feedback;
    }
}

public sealed class PostgresReportFiguresTests() : ReportFiguresTests(postgres: true);

public sealed class SqliteReportFiguresTests() : ReportFiguresTests(postgres: false);
