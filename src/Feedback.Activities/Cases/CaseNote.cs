namespace Feedback.Activities.Cases;

/// <summary>
/// An internal note on a case by a staff member on it (the responsible department, a helping one, the complaint desk):
/// what a helper found, what was agreed by phone. Customers never see notes; retention removes their text.
/// </summary>
public sealed class CaseNote
{
    public long Id { get; set; }
    public long CaseId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The staff user name of the author.</summary>
    public required string Author { get; set; }
    /// <summary>The note; null once retention removed it with the case's other personal data.</summary>
    public string? Text { get; set; }
}
