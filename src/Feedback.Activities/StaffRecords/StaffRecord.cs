namespace Feedback.Activities.StaffRecords;

/// <summary>What a word-of-mouth record evaluates.</summary>
public enum StaffRecordKind { WorkPerformance, ServiceAttitude, Teamwork, Violation }

/// <summary>Who gave the evaluation; the only trace of the author an anonymous record keeps.</summary>
public enum StaffRecordSource { Customer, Colleague, Supervisor }

/// <summary>Awaiting the employee's answer, published (confirmed by the employee), or disputed (not published).</summary>
public enum StaffRecordStatus { AwaitingConfirmation, Published, Disputed }

/// <summary>
/// A word-of-mouth record: one evaluation of a staff member. It is published only once the employee confirms it; a
/// disputed record keeps the employee's comment and stays unpublished. An anonymous record stores no author at all.
/// </summary>
public sealed class StaffRecord
{
    public long Id { get; set; }
    /// <summary>The evaluated staff member's user name.</summary>
    public required string Employee { get; set; }
    /// <summary>The employee's department when the record was made; department heads see their department's records.</summary>
    public required string DepartmentId { get; set; }
    public StaffRecordKind Kind { get; set; }
    public StaffRecordSource Source { get; set; }
    public bool Anonymous { get; set; }
    /// <summary>The author: a staff user name, or the customer's name as given; always null when anonymous.</summary>
    public string? Author { get; set; }
    /// <summary>True when <see cref="Author"/> is a staff user name (colleagues and supervisors), so a credited suggestion counts for them.</summary>
    public bool AuthorIsStaff { get; set; }
    public required string Text { get; set; }
    /// <summary>A constructive suggestion that came with the evaluation, if any.</summary>
    public string? Suggestion { get; set; }
    /// <summary>When a department head or manager credited the suggestion to its (named) author.</summary>
    public DateTimeOffset? SuggestionCreditedAt { get; set; }
    public StaffRecordStatus Status { get; set; }
    /// <summary>The employee's comment when disputing (or, optionally, confirming).</summary>
    public string? EmployeeComment { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
}

/// <summary>A new record as submitted; the author of staff sources is the acting user, never taken from the request.</summary>
/// <param name="CustomerName">For a named customer evaluation: the customer's name.</param>
public sealed record NewStaffRecord(string Employee, string? Kind, string? Source, bool Anonymous, string? Text, string? Suggestion, string? CustomerName);

/// <summary>Per-employee figures over a period, for appraisal. Only published (confirmed) records count per kind and source.</summary>
/// <param name="Confirmed">Published records evaluated in the period.</param>
/// <param name="Disputed">Records evaluated in the period that the employee disputed; they count nowhere else.</param>
/// <param name="CreditedSuggestions">Suggestions the employee made as a named colleague or supervisor, credited in the period.</param>
public sealed record StaffRecordSummary(
    string Employee, string Period, int Confirmed, int Disputed, IReadOnlyDictionary<string, int> ByKind, IReadOnlyDictionary<string, int> BySource,
    int CreditedSuggestions);

/// <summary>The request is not valid; every problem is listed.</summary>
public sealed class StaffRecordValidationException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The record is not in a state that allows the action (already answered, not published, no suggestion).</summary>
public sealed class StaffRecordConflictException(string message) : Exception(message);
