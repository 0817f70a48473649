using Feedback.Activities.Access;
using Feedback.Activities.Reports;

namespace Feedback.Host.Reports;

/// <summary>A report request read from the query string: <c>period</c>, <c>by</c>, <c>department</c>, and the trend's <c>trend</c> range.</summary>
internal sealed record ReportRequest(ReportPeriod Period, ReportDimension By, string? Department, ReportPeriod Trend)
{
    /// <summary>Reads the query; the department is the one the actor may see (a department head's own, whatever is asked).</summary>
    /// <exception cref="ReportValidationException">A parameter is invalid.</exception>
    /// <exception cref="AccessDeniedException">The actor asks for another department's figures.</exception>
    public static ReportRequest Read(IQueryCollection query, Actor actor, ReportOptions options, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, options.Zone).DateTime);
        var period = Text(query["period"]) is { } p ? ReportPeriod.Parse(p) : ReportPeriod.Month(today.Year, today.Month);
        var by = Text(query["by"]) switch
        {
            null => ReportDimension.Department,
            var b when Enum.TryParse<ReportDimension>(b, ignoreCase: true, out var d) && Enum.IsDefined(d) && !char.IsDigit(b[0]) => d,
            var b => throw new ReportValidationException([$"by: '{b}' is not a dimension; use department, category or total."]),
        };
        var department = CaseAccess.ReportDepartment(actor, Text(query["department"]));
        // By default the trend shows the twelve months up to the end of the period.
        var last = period.End.AddDays(-1);
        var trend = Text(query["trend"]) is { } t ? ReportPeriod.Parse(t)
            : ReportPeriod.Range(new DateOnly(last.Year, last.Month, 1).AddMonths(-11), last);
        return new ReportRequest(period, by, department, trend);
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
