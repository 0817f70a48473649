using Feedback.Activities.Cases;
using Feedback.Activities.Reports;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Tests.Reports;

/// <summary>
/// The maintained previous-case days that repeat complaints are counted from: kept on every save, in any order of
/// arrival, when a case is judged malicious or gets its category, and across the window boundary. Window: 90 days.
/// Report calendar Asia/Shanghai; all cases are received at 04:00 UTC (noon local), so local and UTC days agree.
/// </summary>
public abstract class RepeatFactsTests(bool postgres) : IAsyncLifetime
{
    private const string Secret = "repeat-tests";
    private ReportDatabase _db = null!;
    protected ReportDatabase Database => _db;
    private ReportService _reports = null!;
    private int _next;

    public async Task InitializeAsync()
    {
        _db = await ReportDatabase.CreateAsync(postgres);
        _reports = new ReportService(_db, new ReportOptions { CustomerKeySecret = Secret });
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_repeat_counts_up_to_the_last_day_of_the_window_and_not_one_day_later()
    {
        // a1 on 01-01; a2 on 04-01 is 90 days later (inside); b1 on 01-01, b2 on 04-02 is 91 days later (outside).
        await SaveAsync(Case("a@x.cn", Day(1, 1)), Case("b@x.cn", Day(1, 1)));
        await SaveAsync(Case("a@x.cn", Day(4, 1)), Case("b@x.cn", Day(4, 2)));

        var april = (await _reports.ComputeAsync(ReportPeriod.Month(2026, 4), ReportDimension.Total, null, default)).Total;
        (april.Cases, april.Repeats).Should().Be((2L, 1L), "only a2 lies within 90 days of its customer's earlier case");
        (await DaysAsync()).Should().Equal((Day(1, 1).Day, null), (Day(1, 1).Day, null), (Day(4, 1).Day, Day(1, 1).Day), (Day(4, 2).Day, Day(1, 1).Day));
    }

    [Fact]
    public async Task A_case_arriving_late_with_an_earlier_receipt_makes_the_later_case_a_repeat()
    {
        await SaveAsync(Case("c@x.cn", Day(3, 20)));
        (await MarchRepeatsAsync()).Should().Be(0);

        await SaveAsync(Case("c@x.cn", Day(3, 5))); // an imported review received earlier, stored later

        (await MarchRepeatsAsync()).Should().Be(1, "the 03-20 case now has an earlier case of the same customer");
    }

    [Fact]
    public async Task A_case_judged_malicious_stops_making_the_next_one_a_repeat_and_counts_again_when_cleared()
    {
        await SaveAsync(Case("d@x.cn", Day(3, 2)), Case("d@x.cn", Day(3, 9)));
        (await MarchRepeatsAsync()).Should().Be(1);

        await ChangeAsync(Day(3, 2), c => c.MaliciousReason = "Fake order.");
        var march = (await _reports.ComputeAsync(ReportPeriod.Month(2026, 3), ReportDimension.Total, null, default)).Total;
        (march.Cases, march.Malicious, march.Repeats).Should().Be((1L, 1L, 0L), "a malicious case is left out, also as the earlier case of a repeat");

        await ChangeAsync(Day(3, 2), c => c.MaliciousReason = null);
        (await MarchRepeatsAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Praise_is_no_repeat_and_makes_none_counting_only_as_praise()
    {
        var meat = new ProductDetails { Name = "Luncheon Meat", Model = "340g" };
        await SaveAsync(Case("d@x.cn", Day(3, 2), meat, FeedbackCategory.ProductQuality), Case("d@x.cn", Day(3, 5), meat, FeedbackCategory.ProductQuality),
            Case("d@x.cn", Day(3, 9)));
        (await MarchRepeatsAsync()).Should().Be(2);

        await ChangeAsync(Day(3, 5), c => (c.Praise, c.Status) = (true, CaseStatus.Closed));
        var march = (await _reports.ComputeAsync(ReportPeriod.Month(2026, 3), ReportDimension.Total, null, default)).Total;
        (march.Cases, march.Praise, march.Repeats).Should().Be((2L, 1L, 1L), "the praise of 03-05 is no complaint: 03-09 repeats 03-02 instead");
        (await AllDaysAsync()).Select(d => d.Customer).Should().Equal(null, Day(3, 2).Day, Day(3, 2).Day);
    }

    [Fact]
    public async Task Upgrading_marks_what_the_positive_review_process_closed_as_praise_and_recomputes_repeats()
    {
        // Stored before the praise column: the review counted as the customer's and the product's latest case.
        var meat = new ProductDetails { Name = "Luncheon Meat", Model = "340g" };
        var cases = new[] { Day(3, 2), Day(3, 5), Day(3, 9) }.Select(d => Case("d@x.cn", d, meat, FeedbackCategory.ProductQuality)).ToArray();
        (cases[1].WorkflowDefinitionId, cases[1].Status) = ("positive-review", CaseStatus.Closed);
        await SaveAsync(cases);
        (await AllDaysAsync()).Select(d => (d.Customer, d.Product)).Should().Equal((null, null), (Day(3, 2).Day, Day(3, 2).Day), (Day(3, 5).Day, Day(3, 5).Day));

        await using (var db = _db.CreateDbContext())
        {
            var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);
            await migrator.MigrateAsync("CustomerPhoneKey");
            await migrator.MigrateAsync();
        }

        await using (var db = _db.CreateDbContext())
            (await db.Cases.OrderBy(c => c.Number).Select(c => c.Praise).ToListAsync()).Should().Equal(false, true, false);
        (await AllDaysAsync()).Select(d => (d.Customer, d.Product)).Should().Equal((null, null), (Day(3, 2).Day, Day(3, 2).Day), (Day(3, 2).Day, Day(3, 2).Day));
    }

    [Fact]
    public async Task A_product_repeat_appears_when_classification_sets_the_category()
    {
        var meat = new ProductDetails { Name = "Luncheon Meat", Model = "340g" };
        await SaveAsync(Case(null, Day(3, 1), meat, FeedbackCategory.ProductQuality), Case(null, Day(3, 10), meat, category: null));
        (await MarchRepeatsAsync()).Should().Be(0, "the second case has no category yet");

        await ChangeAsync(Day(3, 10), c => c.Category = FeedbackCategory.ProductQuality);
        (await MarchRepeatsAsync()).Should().Be(1);

        await ChangeAsync(Day(3, 10), c => c.Category = FeedbackCategory.Other);
        (await MarchRepeatsAsync()).Should().Be(0, "another category is another complaint");
    }

    [Fact]
    public async Task A_department_report_covers_the_cases_it_helps_with_while_rows_stay_with_the_lead()
    {
        var helped = Case("e@x.cn", Day(3, 3));
        (helped.LeadDepartment, helped.HelperDepartments) = ("logistics", ["quality", "after_sales"]);
        var other = Case("f@x.cn", Day(3, 4));
        other.LeadDepartment = "logistics";
        await SaveAsync(helped, other, Case("g@x.cn", Day(3, 5)));
        var march = ReportPeriod.Month(2026, 3);

        var quality = await _reports.ComputeAsync(march, ReportDimension.Department, "quality", default);
        quality.Total.Cases.Should().Be(2, "its own case and the one it helps with");
        quality.Rows.Select(r => (r.Key, r.Cases)).Should().BeEquivalentTo(new[] { ("quality", 1L), ("logistics", 1L) });
        (await _reports.ComputeAsync(march, ReportDimension.Total, "after_sales", default)).Total.Cases.Should().Be(1);
        (await _reports.ComputeAsync(march, ReportDimension.Total, "after", default)).Total.Cases.Should().Be(0, "a department id matches whole");
        var all = await _reports.ComputeAsync(march, ReportDimension.Department, null, default);
        all.Rows.Sum(r => r.Cases).Should().Be(all.Total.Cases, "by department every case counts once");
    }

    [Fact]
    public async Task A_customer_who_called_and_then_wrote_with_both_contacts_is_one_customer()
    {
        // 03-01 by phone only; 03-10 on the web with e-mail and the same phone; 03-20 by e-mail only; 03-25 someone else
        // sharing nothing; the backfill finds the same.
        await SaveAsync(Case(null, Day(3, 1), phone: "138 0000 1111"));
        await SaveAsync(Case("k@x.cn", Day(3, 10), phone: "+86 138-0000-1111"));
        await SaveAsync(Case("k@x.cn", Day(3, 20)), Case("l@x.cn", Day(3, 25), phone: "139 0000 2222"));

        (await DaysAsync()).Should().Equal((Day(3, 1).Day, null), (Day(3, 10).Day, Day(3, 1).Day), (Day(3, 20).Day, Day(3, 10).Day), (Day(3, 25).Day, null));
        (await MarchRepeatsAsync()).Should().Be(2);
        var kept = await AllDaysAsync();
        await using (var db = _db.CreateDbContext())
        {
            await db.Cases.ExecuteUpdateAsync(s => s.SetProperty(c => c.PreviousCustomerDay, (int?)null));
            await RepeatFacts.BackfillAsync(db, default);
        }
        (await AllDaysAsync()).Should().Equal(kept);
    }

    [Fact]
    public async Task The_bulk_backfill_computes_the_same_days_as_the_saves_keep()
    {
        var meat = new ProductDetails { Name = "Luncheon Meat", Model = "340g" };
        var malicious = Case("h@x.cn", Day(3, 4), meat, FeedbackCategory.ProductQuality);
        malicious.MaliciousReason = "Fake order.";
        var twin = Case("h@x.cn", Day(3, 8), meat, FeedbackCategory.ProductQuality); // received at the same instant as the next one
        await SaveAsync(Case("h@x.cn", Day(1, 2), meat, FeedbackCategory.ProductQuality), malicious, twin, Case("h@x.cn", Day(3, 8)),
            Case("i@x.cn", Day(3, 9), meat, FeedbackCategory.Other), Case(null, Day(3, 12), meat, FeedbackCategory.ProductQuality), Case("h@x.cn", Day(5, 1)));
        var kept = await AllDaysAsync();
        kept.Should().Contain(d => d.Customer != null).And.Contain(d => d.Product != null, "the data set has repeats of both kinds");

        await using (var db = _db.CreateDbContext())
        {
            await db.Cases.ExecuteUpdateAsync(s => s.SetProperty(c => c.PreviousCustomerDay, (int?)null).SetProperty(c => c.PreviousProductDay, (int?)null));
            await RepeatFacts.BackfillAsync(db, default);
        }

        (await AllDaysAsync()).Should().Equal(kept);
    }

    private async Task<List<(string Number, int? Customer, int? Product)>> AllDaysAsync()
    {
        await using var db = _db.CreateDbContext();
        return (await db.Cases.OrderBy(c => c.Number).Select(c => new { c.Number, c.PreviousCustomerDay, c.PreviousProductDay }).ToListAsync())
            .Select(c => (c.Number, c.PreviousCustomerDay, c.PreviousProductDay)).ToList();
    }

    private async Task<long> MarchRepeatsAsync() =>
        (await _reports.ComputeAsync(ReportPeriod.Month(2026, 3), ReportDimension.Total, null, default)).Total.Repeats;

    protected async Task<List<(int, int?)>> DaysAsync()
    {
        await using var db = _db.CreateDbContext();
        return (await db.Cases.OrderBy(c => c.ReceivedDay).ThenBy(c => c.Id).Select(c => new { c.ReceivedDay, c.PreviousCustomerDay }).ToListAsync())
            .Select(c => (c.ReceivedDay, c.PreviousCustomerDay)).ToList();
    }

    protected async Task SaveAsync(params FeedbackCase[] cases)
    {
        await using var db = _db.CreateDbContext();
        db.Cases.AddRange(cases);
        await db.SaveChangesAsync();
    }

    private async Task ChangeAsync((DateTimeOffset At, int Day) received, Action<FeedbackCase> change)
    {
        await using var db = _db.CreateDbContext();
        var feedback = await db.Cases.SingleAsync(c => c.ReceivedDay == received.Day);
        change(feedback);
        await db.SaveChangesAsync();
    }

    protected static (DateTimeOffset At, int Day) Day(int month, int day)
    {
        var at = new DateTimeOffset(2026, month, day, 4, 0, 0, TimeSpan.Zero);
        return (at, CaseFacts.Day(at));
    }

    protected FeedbackCase Case(string? email, (DateTimeOffset At, int Day) received, ProductDetails? product = null,
        FeedbackCategory? category = FeedbackCategory.ServiceAttitude, string? phone = null)
    {
        var n = ++_next;
        var feedback = new FeedbackCase
        {
            Number = $"FB-2026-{n:000000}", Content = $"Case {n}", ReceivedAt = received.At, Channel = FeedbackChannel.WebForm, Anonymous = email is null && phone is null,
            CustomerEmail = email, CustomerPhone = phone, Product = product, Category = category, LeadDepartment = "quality",
            WorkflowInstanceId = $"wf-{n}", WorkflowDefinitionId = "general-feedback", CreatedAt = received.At, UpdatedAt = received.At,
        };
        CaseFacts.OnRegistration(feedback, Secret);
        return feedback;
    }
}

public sealed class PostgresRepeatFactsTests() : RepeatFactsTests(postgres: true)
{
    [Fact]
    public async Task A_new_case_does_not_wait_for_a_step_holding_an_earlier_case_of_the_same_customer()
    {
        var morning = Day(3, 3);
        await SaveAsync(Case("k@x.cn", morning));
        // A workflow step holds its case's row lock until it commits, and takes the customer's advisory lock only when
        // it saves. A registration that also wrote that row would wait for the step, and the step's save for it.
        await using var step = Database.CreateDbContext();
        await using var held = await step.Database.BeginTransactionAsync();
        await step.Database.ExecuteSqlRawAsync("SELECT id FROM feedback_cases FOR UPDATE");

        var registration = SaveAsync(Case("k@x.cn", (morning.At.AddHours(2), morning.Day)));
        var finishedFirst = await Task.WhenAny(registration, Task.Delay(TimeSpan.FromSeconds(10))) == registration;
        await held.RollbackAsync();
        await registration;

        finishedFirst.Should().BeTrue("the earlier case's repeat value does not change, so its row is neither written nor waited for");
        (await DaysAsync()).Should().Equal((morning.Day, null), (morning.Day, morning.Day));
    }
}

public sealed class SqliteRepeatFactsTests() : RepeatFactsTests(postgres: false);
