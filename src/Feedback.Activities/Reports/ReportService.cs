using System.Data.Common;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Feedback.Activities.Reports;

/// <summary>
/// Computes report figures in the database: a few aggregate queries over indexed columns per report, never loading
/// cases. PostgreSQL computes the percentiles with <c>percentile_cont</c>; SQLite, which has none, reads the two
/// values around each percentile position with <c>LIMIT 2 OFFSET k</c> and interpolates the same way.
/// </summary>
public sealed class ReportService(IDbContextFactory<FeedbackDbContext> dbFactory, ReportOptions options)
{
    /// <summary>The longest trend, in months.</summary>
    public const int MaxTrendMonths = 37;

    /// <summary>The figures of <paramref name="period"/> grouped by <paramref name="by"/>, limited to one lead department when given.</summary>
    public async Task<Report> ComputeAsync(ReportPeriod period, ReportDimension by, string? department, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = new ReportQuery(db, options, period, department);
        List<ReportFigures> rows;
        ReportFigures total;
        if (by != ReportDimension.Total && db.SupportsRowLocks)
        {
            // PostgreSQL: the rows and their total in one pass (GROUPING SETS), half the queries.
            rows = await query.FiguresAsync(by, cancellationToken, withTotal: true);
            total = rows.SingleOrDefault(r => r.Key == ReportQuery.TotalKey) is { } t ? t with { Key = null } : ReportQuery.Empty(null);
            rows.RemoveAll(r => r.Key == ReportQuery.TotalKey);
        }
        else
        {
            total = (await query.FiguresAsync(ReportDimension.Total, cancellationToken)).Single();
            rows = by == ReportDimension.Total ? [] : await query.FiguresAsync(by, cancellationToken);
        }
        return new Report(period, by, department, rows.OrderByDescending(r => r.Cases).ThenBy(r => r.Key, StringComparer.Ordinal).ToList(), total);
    }

    /// <summary>Month by month totals over <paramref name="period"/>.</summary>
    /// <exception cref="ReportValidationException">The period spans more than <see cref="MaxTrendMonths"/> months.</exception>
    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(ReportPeriod period, string? department, CancellationToken cancellationToken)
    {
        var months = period.Months();
        if (months.Count > MaxTrendMonths) throw new ReportValidationException([$"period: a trend covers at most {MaxTrendMonths} months."]);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (db.SupportsRowLocks && months.Count > 1)
        {
            // PostgreSQL: every month in one pass over the whole span, grouped by the month each case falls in.
            var whole = new ReportPeriod(period.Label, months[0].Start, months[^1].End);
            var byMonth = (await new ReportQuery(db, options, whole, department).MonthlyAsync(months, cancellationToken)).ToDictionary(f => f.Key!);
            return months.Select((m, i) => new TrendPoint(m, (byMonth.GetValueOrDefault(ReportQuery.MonthKey(i)) ?? ReportQuery.Empty(null)) with { Key = null })).ToList();
        }
        var points = new List<TrendPoint>();
        foreach (var month in months)
            points.Add(new TrendPoint(month, (await new ReportQuery(db, options, month, department).FiguresAsync(ReportDimension.Total, cancellationToken)).Single()));
        return points;
    }
}

/// <summary>The SQL of one report period; the only place that knows the column names.</summary>
internal sealed class ReportQuery(FeedbackDbContext db, ReportOptions options, ReportPeriod period, string? department)
{
    // Malicious or false feedback, duplicates of another case and praise are counted apart and left out of every figure.
    private const string Valid = "c.malicious_reason IS NULL AND c.duplicate_of IS NULL AND NOT c.praise";
    private const string ReviewChannels = "'ECommerceReview', 'SocialMedia', 'ThirdPartyPlatform'";
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private readonly bool _postgres = db.SupportsRowLocks;
    private readonly (DateTimeOffset From, DateTimeOffset To) _span = period.Instants(options.Zone);

    /// <summary>The key of the total row when <c>withTotal</c> asks for it; no department or category is named so.</summary>
    public const string TotalKey = "\u0001total";

    /// <summary>A group with no cases.</summary>
    public static ReportFigures Empty(string? key) =>
        new(key, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new DurationFigures(0, null, null), new DurationFigures(0, null, null));

    /// <param name="withTotal">PostgreSQL only: also the total, as the row keyed <see cref="TotalKey"/>.</param>
    public Task<List<ReportFigures>> FiguresAsync(ReportDimension by, CancellationToken cancellationToken, bool withTotal = false)
    {
        var key = by switch { ReportDimension.Department => "c.lead_department", ReportDimension.Category => "c.category", _ => "CAST(NULL AS VARCHAR(64))" };
        return GroupedAsync(key, key, by, withTotal && _postgres && by != ReportDimension.Total, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL only: one row per month of <paramref name="months"/> (consecutive, covering this query's period),
    /// keyed <see cref="MonthKey"/>. A case counts in the month it was received in, and on time in the month it was due in.
    /// </summary>
    public Task<List<ReportFigures>> MonthlyAsync(IReadOnlyList<ReportPeriod> months, CancellationToken cancellationToken)
    {
        if (!_postgres) throw new NotSupportedException("Monthly grouping in one query needs PostgreSQL's width_bucket.");
        _monthBounds = [.. months.Select(m => m.Instants(options.Zone).From), months[^1].Instants(options.Zone).To];
        // width_bucket numbers [bound 1, bound 2) as 1, so the month with index i is bucket i + 1.
        return GroupedAsync("width_bucket(c.received_at, @months)::text", "width_bucket(c.due_at, @months)::text", ReportDimension.Department, false, cancellationToken);
    }

    /// <summary>The key of the month with index <paramref name="index"/> in <see cref="MonthlyAsync"/>'s rows.</summary>
    public static string MonthKey(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private DateTimeOffset[]? _monthBounds;

    // receivedKey groups the figures, dueKey the on-time counts (the same expression unless it reads the case's time).
    private async Task<List<ReportFigures>> GroupedAsync(string receivedKey, string dueKey, ReportDimension by, bool withTotal, CancellationToken cancellationToken)
    {
        var key = receivedKey;
        var groupBy = by == ReportDimension.Total ? "" : withTotal ? $" GROUP BY GROUPING SETS (({key}), ())" : $" GROUP BY {key}";
        var grouping = withTotal ? $", GROUPING({key})" : "";
        var scope = Scope;
        var percentiles = _postgres
            ? $"""
                ,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN {Valid} THEN c.first_response_seconds END),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN {Valid} THEN c.first_response_seconds END),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN {Valid} THEN c.resolution_seconds END),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN {Valid} THEN c.resolution_seconds END)
              """
            : "";
        // A repeat: an earlier valid case of the same customer, or the same product and category, within the window.
        // RepeatFacts keeps the day of the latest such case on the row, so this reads no other row.
        var repeat = """
            (c.customer_key IS NOT NULL AND c.previous_customer_day >= c.received_day - @window)
            OR (c.product_key IS NOT NULL AND c.category IS NOT NULL AND c.previous_product_day >= c.received_day - @window)
            """;
        var sql = $"""
            SELECT {key},
                SUM(CASE WHEN {Valid} THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.channel IN ({ReviewChannels}) THEN 1 ELSE 0 END),
                SUM(CASE WHEN c.malicious_reason IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.customer_satisfied IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.customer_satisfied = TRUE THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND ({repeat}) THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.escalation_level > 0 THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.rework_count > 0 THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} THEN c.rework_count ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.first_response_seconds IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Valid} AND c.resolution_seconds IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN c.malicious_reason IS NULL AND c.duplicate_of IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN c.malicious_reason IS NULL AND c.duplicate_of IS NULL AND c.praise THEN 1 ELSE 0 END){percentiles}{grouping}
            FROM feedback_cases c
            WHERE c.received_at >= @from AND c.received_at < @to{scope}{groupBy}
            """;
        var rows = new Dictionary<string, (object? Key, long[] Counts, double?[] Percentiles)>();
        await using (var command = await CommandAsync(sql, cancellationToken))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
            {
                var counts = Enumerable.Range(1, 13).Select(i => reader.IsDBNull(i) ? 0L : Convert.ToInt64(reader.GetValue(i))).ToArray();
                var p = _postgres ? Enumerable.Range(14, 4).Select(i => reader.IsDBNull(i) ? (double?)null : reader.GetDouble(i)).ToArray() : new double?[4];
                var k = withTotal && reader.GetInt32(18) == 1 ? TotalKey : reader.IsDBNull(0) ? null : reader.GetString(0);
                rows[k ?? ""] = (k, counts, p);
            }
        if (by == ReportDimension.Total && rows.Count == 0) rows[""] = (null, new long[13], new double?[4]);

        var due = await OnTimeAsync(dueKey, scope, groupBy.Replace(receivedKey, dueKey, StringComparison.Ordinal), grouping.Replace(receivedKey, dueKey, StringComparison.Ordinal), cancellationToken);
        var result = new List<ReportFigures>();
        foreach (var (k, (keyValue, c, p)) in rows)
        {
            if (!_postgres)
            {
                var filter = by == ReportDimension.Total ? "" : keyValue is null ? $" AND {key} IS NULL" : $" AND {key} = @key"; // SQLite has no monthly grouping
                p[0] = await PercentileAsync("c.first_response_seconds", c[9], 0.5, filter, keyValue, cancellationToken);
                p[1] = await PercentileAsync("c.first_response_seconds", c[9], 0.9, filter, keyValue, cancellationToken);
                p[2] = await PercentileAsync("c.resolution_seconds", c[10], 0.5, filter, keyValue, cancellationToken);
                p[3] = await PercentileAsync("c.resolution_seconds", c[10], 0.9, filter, keyValue, cancellationToken);
            }
            var (dueCount, onTime) = due.GetValueOrDefault(k);
            result.Add(new ReportFigures((string?)keyValue, c[0], c[1], c[2], dueCount, onTime, c[3], c[4], c[5], c[6], c[7], c[8],
                new DurationFigures((int)c[9], p[0], p[1]), new DurationFigures((int)c[10], p[2], p[3])) { Duplicates = c[11], Praise = c[12] });
        }
        // Groups with cases due in the period but none received in it still have on-time figures.
        foreach (var (k, (dueCount, onTime)) in due.Where(d => !rows.ContainsKey(d.Key)))
            result.Add(Empty(k == "" ? null : k) with { DueInPeriod = dueCount, OnTime = onTime });
        return result;
    }

    /// <summary>Cases due in the period and how many of them were resolved by their due time.</summary>
    private async Task<Dictionary<string, (long Due, long OnTime)>> OnTimeAsync(string key, string scope, string groupBy, string grouping, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {key}, COUNT(*), SUM(CASE WHEN c.resolved_at IS NOT NULL AND c.resolved_at <= c.due_at THEN 1 ELSE 0 END){grouping}
            FROM feedback_cases c
            WHERE c.due_at >= @from AND c.due_at < @to AND {Valid}{scope}{groupBy}
            """;
        var result = new Dictionary<string, (long, long)>();
        await using var command = await CommandAsync(sql, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var due = Convert.ToInt64(reader.GetValue(1));
            var k = grouping != "" && reader.GetInt32(3) == 1 ? TotalKey : reader.IsDBNull(0) ? "" : reader.GetString(0);
            if (due > 0) result[k] = (due, reader.IsDBNull(2) ? 0 : Convert.ToInt64(reader.GetValue(2)));
        }
        return result;
    }

    /// <summary>The continuous percentile of a column over the group's <paramref name="count"/> non-null values (SQLite).</summary>
    private async Task<double?> PercentileAsync(string column, long count, double fraction, string filter, object? key, CancellationToken cancellationToken)
    {
        if (count == 0) return null;
        var position = (count - 1) * fraction;
        var below = (long)Math.Floor(position);
        var sql = $"""
            SELECT {column} FROM feedback_cases c
            WHERE c.received_at >= @from AND c.received_at < @to AND {Valid} AND {column} IS NOT NULL{Scope}{filter}
            ORDER BY {column} LIMIT 2 OFFSET {below}
            """;
        await using var command = await CommandAsync(sql, cancellationToken);
        if (key is not null) Add(command, "@key", key);
        var values = new List<double>(2);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) values.Add(Convert.ToDouble(reader.GetValue(0)));
        if (values.Count == 0) return null;
        return values.Count == 1 ? values[0] : values[0] + (position - below) * (values[1] - values[0]);
    }

    private async Task<DbCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "@from", Time(_span.From));
        Add(command, "@to", Time(_span.To));
        Add(command, "@window", options.RepeatWindowDays);
        if (_monthBounds is not null) Add(command, "@months", _monthBounds);
        if (department is not null)
        {
            Add(command, "@department", department);
            Add(command, "@helper", CaseFacts.HelperElement(department));
        }
        return command;
    }

    /// <summary>
    /// A department's report covers the cases it leads or helps with (the cases its staff may read); rows by department
    /// still count each case once, under its lead department.
    /// </summary>
    private string Scope => department is null ? ""
        : $" AND (c.lead_department = @department OR {(_postgres ? "strpos" : "instr")}(c.helper_departments, @helper) > 0)";


    // SQLite keeps DateTimeOffset as the binary form the model's converter writes; PostgreSQL as timestamptz.
    private object Time(DateTimeOffset at) => _postgres ? at : SqliteTime.ConvertToProvider(at)!;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
