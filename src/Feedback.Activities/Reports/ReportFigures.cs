namespace Feedback.Activities.Reports;

/// <summary>What a report's rows are grouped by.</summary>
public enum ReportDimension { Total, Department, Category }

/// <summary>The median and 90th percentile of a duration, in seconds (continuous percentiles); null without data.</summary>
public sealed record DurationFigures(int Count, double? MedianSeconds, double? P90Seconds);

/// <summary>
/// The figures of one group (a department, a category, or everything) over one period. Malicious or false cases count
/// only in <see cref="Malicious"/>, duplicates of another case only in <see cref="Duplicates"/>, praise only in
/// <see cref="Praise"/>; every other figure leaves them out, so the others are about complaints and suggestions.
/// </summary>
/// <param name="Key">The department id or category name; null for the total, or for cases without one.</param>
/// <param name="NegativeReviews">Cases that came in as e-commerce, social-media or third-party-platform reviews; reviews recorded as praise are not among them.</param>
/// <param name="DueInPeriod">Cases whose rectification was due in the period (by their SLA due time).</param>
/// <param name="OnTime">Of those, the ones resolved by the due time.</param>
/// <param name="Rectified">Cases on which the customer gave a verdict.</param>
/// <param name="Repeats">Cases with an earlier case from the same customer, or about the same product and category, within the repeat window.</param>
/// <param name="Reworked">Cases rectified again at least once; <paramref name="Reworks"/> counts the reworks.</param>
public sealed record ReportFigures(
    string? Key, long Cases, long NegativeReviews, long Malicious, long DueInPeriod, long OnTime, long Rectified, long Satisfied,
    long Repeats, long Escalated, long Reworked, long Reworks, DurationFigures FirstResponse, DurationFigures Resolution)
{
    /// <summary>Cases marked a duplicate of another case (and not malicious), left out of every other figure.</summary>
    public long Duplicates { get; init; }

    /// <summary>Feedback recorded as praise (and not malicious or a duplicate), left out of every other figure.</summary>
    public long Praise { get; init; }

    public double? OnTimeRate => Rate(OnTime, DueInPeriod);
    public double? SatisfactionRate => Rate(Satisfied, Rectified);
    public double? RepeatRate => Rate(Repeats, Cases);

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}

/// <summary>A report: the rows of one period by one dimension, and their total.</summary>
/// <param name="Department">Set when the report is limited to one department's cases.</param>
public sealed record Report(ReportPeriod Period, ReportDimension By, string? Department, IReadOnlyList<ReportFigures> Rows, ReportFigures Total);

/// <summary>One point of a trend: a month and its totals.</summary>
public sealed record TrendPoint(ReportPeriod Period, ReportFigures Figures);
