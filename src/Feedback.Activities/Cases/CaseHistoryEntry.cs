namespace Feedback.Activities.Cases;

/// <summary>One line of a case's append-only history: who did what, when, and through which channel.</summary>
public sealed class CaseHistoryEntry
{
    public long Id { get; set; }
    /// <summary>The case; 0 on lines about a staff word-of-mouth record (see <see cref="StaffRecordId"/>).</summary>
    public long CaseId { get; set; }
    /// <summary>Set on lines about a staff word-of-mouth record instead of a case.</summary>
    public long? StaffRecordId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>A staff user name, <c>customer</c>, or <c>system</c>.</summary>
    public required string Actor { get; set; }
    /// <summary>How the action arrived: api, web form, staff entry, mail link, workflow.</summary>
    public required string Via { get; set; }
    /// <summary>A short machine-readable verb: Registered, Classified, Assigned...</summary>
    public required string Action { get; set; }
    public string? Details { get; set; }
}
