using System.Globalization;
using System.Text;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Reports;

namespace Feedback.Host.Reports;

/// <summary>The report tables as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read Chinese names).</summary>
internal static class ReportCsv
{
    private static readonly string[] FigureColumns =
    [
        "cases", "negative_reviews", "malicious", "duplicates", "praise", "due_in_period", "on_time", "on_time_rate", "rectified", "satisfied",
        "satisfaction_rate", "repeats", "repeat_rate", "escalated", "reworked", "reworks", "first_response_median_hours", "first_response_p90_hours",
        "resolution_median_hours", "resolution_p90_hours",
    ];

    public static string Figures(Report report)
    {
        var csv = new StringBuilder();
        Line(csv, [report.By.ToString().ToLowerInvariant(), .. FigureColumns]);
        foreach (var row in report.Rows) Line(csv, [row.Key ?? "(none)", .. Values(row)]);
        Line(csv, ["(total)", .. Values(report.Total)]);
        return csv.ToString();
    }

    public static string Trend(IReadOnlyList<TrendPoint> points)
    {
        var csv = new StringBuilder();
        Line(csv, ["month", .. FigureColumns]);
        foreach (var point in points) Line(csv, [point.Period.Label, .. Values(point.Figures)]);
        return csv.ToString();
    }

    /// <summary>The case list; <paramref name="revealed"/> says, per case, whether its contacts are shown or masked.</summary>
    public static string Cases(IReadOnlyList<FeedbackCase> cases, Func<FeedbackCase, bool> revealed)
    {
        var csv = new StringBuilder();
        Line(csv, ["number", "received_at", "channel", "category", "severity", "lead_department", "status", "customer_name", "customer_phone", "customer_email", "malicious", "duplicate_of", "customer_satisfied"]);
        foreach (var c in cases)
        {
            var show = revealed(c);
            Line(csv, [c.Number, c.ReceivedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), c.Channel.ToString(), c.Category?.ToString() ?? "",
                c.Severity?.ToString() ?? "", c.LeadDepartment ?? "", c.Status.ToString(),
                (show ? c.CustomerName : PersonalData.MaskName(c.CustomerName)) ?? "", (show ? c.CustomerPhone : PersonalData.MaskPhone(c.CustomerPhone)) ?? "",
                (show ? c.CustomerEmail : PersonalData.MaskEmail(c.CustomerEmail)) ?? "", c.MaliciousReason is null ? "no" : "yes", c.DuplicateOf ?? "",
                c.CustomerSatisfied switch { true => "yes", false => "no", null => "" }]);
        }
        return csv.ToString();
    }

    public static IResult File(string csv, string name) =>
        Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), "text/csv; charset=utf-8", name);

    private static IEnumerable<string> Values(ReportFigures f) =>
    [
        N(f.Cases), N(f.NegativeReviews), N(f.Malicious), N(f.Duplicates), N(f.Praise), N(f.DueInPeriod), N(f.OnTime), R(f.OnTimeRate), N(f.Rectified), N(f.Satisfied),
        R(f.SatisfactionRate), N(f.Repeats), R(f.RepeatRate), N(f.Escalated), N(f.Reworked), N(f.Reworks),
        H(f.FirstResponse.MedianSeconds), H(f.FirstResponse.P90Seconds), H(f.Resolution.MedianSeconds), H(f.Resolution.P90Seconds),
    ];

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static string R(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";
    private static string H(double? seconds) => seconds is { } s ? (s / 3600).ToString("0.##", CultureInfo.InvariantCulture) : "";

    private static void Line(StringBuilder csv, IEnumerable<string> cells) =>
        csv.Append(string.Join(',', cells.Select(Cell))).Append("\r\n");

    // Quotes every cell that needs it; a leading = + - @ is defused so a spreadsheet does not run it as a formula.
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0]) && !double.TryParse(value, CultureInfo.InvariantCulture, out _)) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
