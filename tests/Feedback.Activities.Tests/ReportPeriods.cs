namespace Feedback.Activities.Tests;

/// <summary>Report periods for tests that write on the real clock.</summary>
internal static class ReportPeriods
{
    /// <summary>The report time zone of the test hosts (Asia/Shanghai, no daylight saving).</summary>
    private static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>
    /// The days from <paramref name="start"/> to now in the report calendar, as a period label: everything written on the
    /// real clock since <paramref name="start"/> falls in it, also when a run crosses midnight or a month's end there.
    /// </summary>
    public static string Since(DateTimeOffset start) => $"{start.ToOffset(Offset):yyyy-MM-dd}..{DateTimeOffset.UtcNow.ToOffset(Offset):yyyy-MM-dd}";
}
