namespace Feedback.Activities.Links;

/// <summary>What a mailed link lets its holder do.</summary>
public enum ActionLinkKind
{
    /// <summary>Open and complete one staff task as one staff member.</summary>
    StaffTask,
    /// <summary>Answer one satisfaction survey of a case.</summary>
    Survey,
    /// <summary>Follow a case as its customer (read only).</summary>
    CasePage,
    /// <summary>Set one staff member's sign-in password (the subject is their user name).</summary>
    SetPassword,
}

/// <summary>A link to mint.</summary>
/// <param name="Subject">The task id, the survey's bookmark id, or the case number.</param>
/// <param name="UserName">The staff member a staff-task link acts for; null for customer links.</param>
/// <param name="LinkId">The link's id, for a caller that records it (a new password link cancels the earlier ones); null draws a random one.</param>
public sealed record ActionLinkRequest(ActionLinkKind Kind, string Subject, string? CaseNumber, string? UserName = null, string? LinkId = null);

/// <summary>
/// Mints signed, expiring links that are safe to put in mail. The host provides the implementation; without one,
/// activities send no link-bearing mail (staff-task mail) or fail with a clear message (surveys).
/// </summary>
public interface IActionLinkIssuer
{
    /// <summary>An absolute URL for the request, valid for the kind's lifetime.</summary>
    string Issue(ActionLinkRequest request);

    /// <summary>The absolute URL of a case's staff page, where a signed-in member reads it (no token: the page checks who reads).</summary>
    string CasePage(string caseNumber);
}

/// <summary>A link that has been acted on; the primary key makes a link single-use across hosts.</summary>
public sealed class UsedLink
{
    /// <summary>The random id carried inside the signed link.</summary>
    public required string LinkId { get; set; }
    public ActionLinkKind Kind { get; set; }
    public required string Subject { get; set; }
    public string? UsedBy { get; set; }
    public DateTimeOffset UsedAt { get; set; }
}

/// <summary>One key of the ASP.NET Core Data Protection key ring, kept in the database so every host reads every link.</summary>
public sealed class DataProtectionKeyRecord
{
    public long Id { get; set; }
    public required string FriendlyName { get; set; }
    public required string Xml { get; set; }
}
