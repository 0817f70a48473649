namespace Feedback.Activities.Cases;

/// <summary>One line of a case's append-only history: who did what, when, and through which channel.</summary>
public sealed class CaseHistoryEntry
{
    public long Id { get; set; }
    public long CaseId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>A staff user name, <c>customer</c>, or <c>system</c>.</summary>
    public required string Actor { get; set; }
    /// <summary>How the action arrived: api, web form, staff entry, mail link, workflow.</summary>
    public required string Via { get; set; }
    /// <summary>A short machine-readable verb: Registered, Classified, Assigned...</summary>
    public required string Action { get; set; }
    public string? Details { get; set; }
}
