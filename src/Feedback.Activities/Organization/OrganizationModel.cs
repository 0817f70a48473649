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

/// <summary>
/// Which process a new case runs: the first route (in document order) whose conditions all hold; when none does,
/// the configured default process. Admins edit the routes with the directory.
/// </summary>
public sealed class IntakeRoute
{
    /// <summary>The route's place in the list; set from the document order when the directory is replaced.</summary>
    public int Position { get; set; }
    /// <summary>Channels it applies to (<see cref="Cases.FeedbackChannel"/> names); empty applies to every channel.</summary>
    public List<string> Channels { get; set; } = new();
    /// <summary>True: only feedback naming a product; false: only feedback naming none; null: either.</summary>
    public bool? WithProduct { get; set; }
    /// <summary>The definition id of the process, e.g. <c>negative-review-rectification</c>.</summary>
    public required string Process { get; set; }

    /// <summary>Whether a registration takes this route.</summary>
    public bool Matches(Cases.CaseRegistration registration) =>
        (Channels.Count == 0 || (registration.Channel is { } channel && Channels.Contains(channel.ToString(), StringComparer.OrdinalIgnoreCase)))
        && (WithProduct is not { } wanted || wanted == registration.Product is not null);
}
