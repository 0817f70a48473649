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

    /// <summary>The report time zone, resolved.</summary>
    /// <exception cref="TimeZoneNotFoundException">The id names no time zone.</exception>
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
