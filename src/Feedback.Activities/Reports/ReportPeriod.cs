using System.Globalization;
using System.Text.RegularExpressions;

namespace Feedback.Activities.Reports;

/// <summary>A span of calendar days in the report time zone: a month, quarter, half-year, year or custom range.</summary>
/// <param name="Label">How it is written: <c>2026-03</c>, <c>2026-Q1</c>, <c>2026-H1</c>, <c>2026</c> or <c>2026-01-05..2026-02-10</c>.</param>
/// <param name="End">The first day after the period.</param>
public sealed partial record ReportPeriod(string Label, DateOnly Start, DateOnly End)
{
    /// <summary>The longest custom range: three years and a day, the retention horizon.</summary>
    public const int MaxDays = 3 * 366 + 1;

    public static ReportPeriod Month(int year, int month) => new($"{year:D4}-{month:D2}", new DateOnly(year, month, 1), new DateOnly(year, month, 1).AddMonths(1));

    public static ReportPeriod Quarter(int year, int quarter) => new($"{year:D4}-Q{quarter}", new DateOnly(year, quarter * 3 - 2, 1), new DateOnly(year, quarter * 3 - 2, 1).AddMonths(3));

    public static ReportPeriod Half(int year, int half) => new($"{year:D4}-H{half}", new DateOnly(year, half * 6 - 5, 1), new DateOnly(year, half * 6 - 5, 1).AddMonths(6));

    /// <summary>A custom range, both days included.</summary>
    /// <exception cref="ReportValidationException">The range is empty, reversed or longer than <see cref="MaxDays"/>.</exception>
    public static ReportPeriod Range(DateOnly first, DateOnly last)
    {
        if (last < first) throw new ReportValidationException([$"period: the range ends ({last:yyyy-MM-dd}) before it starts ({first:yyyy-MM-dd})."]);
        if (last.DayNumber - first.DayNumber + 1 > MaxDays) throw new ReportValidationException([$"period: a range covers at most {MaxDays} days."]);
        return new($"{first:yyyy-MM-dd}..{last:yyyy-MM-dd}", first, last.AddDays(1));
    }

    /// <summary>Reads a label as written above.</summary>
    /// <exception cref="ReportValidationException">The text is not a period.</exception>
    public static ReportPeriod Parse(string? text)
    {
        var t = text?.Trim() ?? "";
        Match m;
        try
        {
            if ((m = MonthPattern().Match(t)).Success) return Month(Year(m), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            if ((m = QuarterPattern().Match(t)).Success) return Quarter(Year(m), m.Groups[2].Value[0] - '0');
            if ((m = HalfPattern().Match(t)).Success) return Half(Year(m), m.Groups[2].Value[0] - '0');
            if ((m = YearPattern().Match(t)).Success) return new(t, new DateOnly(Year(m), 1, 1), new DateOnly(Year(m) + 1, 1, 1));
            if ((m = RangePattern().Match(t)).Success)
                return Range(DateOnly.ParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture), DateOnly.ParseExact(m.Groups[2].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            throw new ReportValidationException([$"period: '{t}' is not a valid date ({e.Message})."]);
        }
        throw new ReportValidationException([$"period: '{t}' is not a period; write 2026-03 (month), 2026-Q1, 2026-H1, 2026 or 2026-01-05..2026-02-10."]);
    }

    /// <summary>The months that overlap this period, in order.</summary>
    public IReadOnlyList<ReportPeriod> Months()
    {
        var months = new List<ReportPeriod>();
        for (var m = new DateOnly(Start.Year, Start.Month, 1); m < End; m = m.AddMonths(1)) months.Add(Month(m.Year, m.Month));
        return months;
    }

    /// <summary>The period as UTC instants: [from, to).</summary>
    public (DateTimeOffset From, DateTimeOffset To) Instants(TimeZoneInfo zone) => (Instant(Start, zone), Instant(End, zone));

    private static DateTimeOffset Instant(DateOnly day, TimeZoneInfo zone) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone), TimeSpan.Zero);

    private static int Year(Match m) => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{4})-(0[1-9]|1[0-2])$")] private static partial Regex MonthPattern();
    [GeneratedRegex(@"^(\d{4})-Q([1-4])$", RegexOptions.IgnoreCase)] private static partial Regex QuarterPattern();
    [GeneratedRegex(@"^(\d{4})-H([12])$", RegexOptions.IgnoreCase)] private static partial Regex HalfPattern();
    [GeneratedRegex(@"^(\d{4})$")] private static partial Regex YearPattern();
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")] private static partial Regex RangePattern();
}

/// <summary>A report request is invalid; the errors say what to change.</summary>
public sealed class ReportValidationException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
