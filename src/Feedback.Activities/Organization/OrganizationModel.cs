namespace Feedback.Activities.Organization;

/// <summary>A department that can lead or help with a case.</summary>
public sealed class Department
{
    /// <summary>A short stable code, e.g. <c>quality</c>.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The user name of the department head, who reviews rectifications.</summary>
    public string? Head { get; set; }
}

/// <summary>A member of staff who can be given feedback tasks.</summary>
public sealed class StaffMember
{
    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    public string? Email { get; set; }
    public required string DepartmentId { get; set; }
    public List<StaffRole> Roles { get; set; } = new();
    public bool Active { get; set; } = true;
    /// <summary>While absent, the member gets no new work; their tasks go to <see cref="Delegate"/> if set.</summary>
    public DateTimeOffset? AbsentUntil { get; set; }
    /// <summary>When the absence starts; null means it has (an absence set before this existed).</summary>
    public DateTimeOffset? AbsentFrom { get; set; }
    public string? Delegate { get; set; }

    /// <summary>Whether the member is away at <paramref name="at"/>.</summary>
    public bool IsAbsentAt(DateTimeOffset at) => AbsentUntil > at && (AbsentFrom is null || AbsentFrom <= at);
}

/// <summary>
/// What a staff member may do in the process. ProcessOwner (the admin of the process) and Auditor were added for
/// access to cases and reports: see <see cref="Access.CaseAccess"/>.
/// </summary>
public enum StaffRole { Staff, DepartmentHead, ComplaintDesk, ComplaintDeskManager, Management, ProcessOwner, Auditor }

/// <summary>Which department leads a category of feedback, and which help.</summary>
public sealed class RoutingRule
{
    public required string Category { get; set; }
    public required string LeadDepartment { get; set; }
    public List<string> HelperDepartments { get; set; } = new();
}
