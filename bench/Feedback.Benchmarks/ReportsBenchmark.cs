using System.Diagnostics;
using Feedback.Activities.Persistence;
using Feedback.Activities.Reports;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using DomainReport = Feedback.Activities.Reports.Report;

namespace Feedback.Benchmarks;

/// <summary>
/// The monthly report over a large case table: generates <c>--cases</c> cases spread over three years with
/// <c>generate_series</c> (one INSERT ... SELECT in the server), then times the monthly report (figures by department
/// and by category for one month, as the dashboard asks) and the twelve-month trend, through <see cref="ReportService"/>.
/// </summary>
internal static class ReportsBenchmark
{
    private const string Target = "monthly report under 1 s";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var count = options.Int("cases", 1_000_000);
        var rounds = options.Int("rounds", 5);
        options.RejectUnknown();

        await using var database = await BenchDatabase.CreateAsync();
        var factory = new Factory(database.ConnectionString);
        await using (var db = factory.CreateDbContext()) await db.Database.MigrateAsync();

        var generate = Stopwatch.StartNew();
        await ExecuteAsync(database.ConnectionString, GenerateSql(count));
        generate.Stop();
        // The generator bypasses the context, so the repeat facts it keeps on every save are computed as the migration does.
        var backfill = Stopwatch.StartNew();
        await using (var db = factory.CreateDbContext())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await RepeatFacts.BackfillAsync(db, default);
        }
        backfill.Stop();
        var analyze = Stopwatch.StartNew();
        await ExecuteAsync(database.ConnectionString, "VACUUM ANALYZE feedback_cases");
        analyze.Stop();

        var reports = new ReportService(factory, new ReportOptions());
        // The last full month of the generated span, and the year up to it.
        var month = ReportPeriod.Month(2026, 10);
        var year = ReportPeriod.Range(new DateOnly(2025, 11, 1), new DateOnly(2026, 10, 31));
        DomainReport? last = null;
        var monthly = await TimeAsync(rounds, async () =>
        {
            last = await reports.ComputeAsync(month, ReportDimension.Department, null, default);
            await reports.ComputeAsync(month, ReportDimension.Category, null, default);
        });
        var trend = await TimeAsync(rounds, () => reports.TrendAsync(year, null, default));
        var scoped = await TimeAsync(rounds, () => reports.ComputeAsync(month, ReportDimension.Category, "dept-3", default));

        var report = new Report("reports")
            .Add("cases", "cases generated", count, "", 0)
            .Add("generate_s", "generate (INSERT ... generate_series)", generate.Elapsed.TotalSeconds, "s")
            .Add("backfill_s", "repeat facts backfill (both UPDATEs)", backfill.Elapsed.TotalSeconds, "s")
            .Add("analyze_s", "VACUUM ANALYZE", analyze.Elapsed.TotalSeconds, "s")
            .Add("month_cases", $"cases in {month.Label}", last!.Total.Cases, "", 0)
            .Add("monthly_median_ms", "monthly report (by department + by category), median", monthly.Median, "ms")
            .Add("monthly_max_ms", "monthly report, slowest round", monthly.Max, "ms")
            .Add("trend_median_ms", "12-month trend, median", trend.Median, "ms")
            .Add("scoped_median_ms", "one department's monthly report by category, median", scoped.Median, "ms")
            .Add("rounds", "rounds (after one warm-up)", rounds, "", 0);

        // The search reads columns the reports do not; they are filled only now, so the reports ran on the data as generated.
        var prepare = Stopwatch.StartNew();
        await ExecuteAsync(database.ConnectionString, CaseSearchTimings.PrepareSql());
        await ExecuteAsync(database.ConnectionString, "VACUUM ANALYZE feedback_cases");
        prepare.Stop();
        report.Add("search_prepare_s", "search data (owners, helpers, open cases) and VACUUM ANALYZE", prepare.Elapsed.TotalSeconds, "s");
        await CaseSearchTimings.AddAsync(report, factory, rounds);
        report.Target("target_monthly", Target, monthly.Max < 1000);
        report.Print();
        return 0;
    }

    /// <summary>
    /// Cases from 2023-11-01 to 2026-10-31 (UTC): 8 departments, 6 categories, 8 channels; 2% malicious; customers
    /// drawn from 300,000 keys and products from 500 (40% of cases), so repeats occur; 90% with a first response,
    /// 80% resolved, 85% with a due time, half of the resolved with a verdict.
    /// </summary>
    private static string GenerateSql(int count) => $"""
        SELECT setseed(0.42);
        INSERT INTO feedback_cases (number, received_at, received_day, channel, status, anonymous, content, language, requests, category, severity,
            food_safety, malicious_reason, lead_department, helper_departments, rework_count, escalation_level, customer_key, product_key,
            first_response_at, first_response_seconds, resolved_at, resolution_seconds, due_at, customer_satisfied, legal_hold,
            workflow_instance_id, workflow_definition_id, created_at, updated_at)
        SELECT 'FB-' || i, t, floor(extract(epoch FROM t) / 86400)::int,
            (ARRAY['WebForm','Email','Phone','Counter','SuggestionBox','ECommerceReview','SocialMedia','ThirdPartyPlatform'])[1 + (r1 * 8)::int % 8],
            'Closed', false, 'generated', 'zh-CN', '[]',
            (ARRAY['ProductQuality','ServiceAttitude','DeliveryLogistics','AfterSales','Suggestion','Other'])[1 + (r2 * 6)::int % 6], 'B',
            false, CASE WHEN r3 < 0.02 THEN 'generated' END, 'dept-' || (1 + (r4 * 8)::int % 8), '[]',
            CASE WHEN r5 < 0.8 THEN 0 WHEN r5 < 0.95 THEN 1 ELSE 2 END, CASE WHEN r6 < 0.85 THEN 0 ELSE 1 + (r6 * 100)::int % 3 END,
            md5('c' || (r7 * 300000)::int), CASE WHEN r8 < 0.4 THEN 'product ' || (r8 * 1250)::int END,
            CASE WHEN r9 < 0.9 THEN t + fr END, CASE WHEN r9 < 0.9 THEN extract(epoch FROM fr)::bigint END,
            CASE WHEN r10 < 0.8 THEN t + rs END, CASE WHEN r10 < 0.8 THEN extract(epoch FROM rs)::bigint END,
            CASE WHEN r11 < 0.85 THEN t + interval '7 days' END,
            CASE WHEN r10 < 0.4 THEN r12 < 0.8 END, false,
            'wf-' || i, 'general-feedback', t, t
        FROM (
            SELECT i, timestamptz '2023-11-01 00:00+00' + (random() * interval '1096 days') AS t,
                random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7,
                random() AS r8, random() AS r9, random() AS r10, random() AS r11, random() AS r12,
                random() * interval '3 days' + interval '10 minutes' AS fr, random() * interval '20 days' + interval '1 hour' AS rs
            FROM generate_series(1, {count}) AS i) g;
        """;

    /// <summary>Runs <paramref name="run"/> once to warm up, then <paramref name="rounds"/> times; the median and slowest in ms.</summary>
    internal static async Task<(double Median, double Max)> TimeAsync(int rounds, Func<Task> run)
    {
        await run();
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[^1]);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Factory(string connectionString) : IDbContextFactory<FeedbackDbContext>
    {
        public FeedbackDbContext CreateDbContext() => new PostgresFeedbackDbContext(new DbContextOptionsBuilder<PostgresFeedbackDbContext>()
            .UseNpgsql(connectionString, n => n.MigrationsHistoryTable("__feedback_migrations").CommandTimeout(600)).Options);
    }
}
