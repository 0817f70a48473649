namespace Feedback.Activities.Reports;

/// <summary>How reports count: the calendar they use, the repeat-complaint window, and the key that pseudonymises customers.</summary>
public sealed class ReportOptions
{
    /// <summary>The time zone whose calendar months, quarters and half-years reports use (IANA id).</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A case is a repeat when the same customer, or the same product and category, complained this many days before.</summary>
    public int RepeatWindowDays { get; set; } = 90;

    /// <summary>
    /// The secret of the keyed hash that links a customer's cases without storing the contact. Changing it makes
    /// earlier cases unrecognisable as the same customer's.
    /// </summary>
    public string CustomerKeySecret { get; set; } = "";

    /// <summary>The report time zone, resolved: the company's clock, on which pages and mail also show times.</summary>
    /// <exception cref="TimeZoneNotFoundException">The id names no time zone.</exception>
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>
    /// <paramref name="at"/> as a reader sees it: on the company's clock, with its offset from UTC named so that a reader
    /// elsewhere can still place it, e.g. <c>2026-11-25 07:59 (UTC+08:00)</c>.
    /// </summary>
    public string Show(DateTimeOffset at)
    {
        var local = System.TimeZoneInfo.ConvertTime(at, Zone);
        return $"{local.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} ({OffsetName(local.Offset)})";
    }

    /// <summary>An offset from UTC by name: <c>UTC</c>, <c>UTC+08:00</c>, <c>UTC-05:00</c>.</summary>
    public static string OffsetName(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "UTC" : "UTC" + offset.ToString(offset < TimeSpan.Zero ? "'-'hh':'mm" : "'+'hh':'mm", System.Globalization.CultureInfo.InvariantCulture);
}
