using Feedback.Activities.Organization;

namespace Feedback.Activities.Tasks;

/// <summary>
/// Who may act on a task. Working on it (claim, complete): once claimed, only the claimant; otherwise its assignee,
/// or, when it has no assignee, an active staff member with its role in its department (any department when the task
/// names none). Reassigning: whoever may work on it, plus supervisors: a department head of its department, the
/// complaint-desk manager and management. An inactive staff member may do neither, nor may anyone the task excludes
/// (<see cref="FeedbackTask.Excluded"/>): that rule is above every role.
/// </summary>
public static class TaskAccess
{
    /// <summary>Whether <paramref name="user"/> may claim or complete the task.</summary>
    /// <param name="staff">The user's directory entry; null when the directory does not know them (they can still be an assignee).</param>
    public static bool MayWork(FeedbackTask task, string user, StaffMember? staff)
    {
        if (staff is { Active: false } || IsExcluded(task, user)) return false;
        if (task.Status == FeedbackTaskStatus.Claimed) return task.ClaimedBy == user;
        if (task.Assignee is not null) return task.Assignee == user;
        return staff is not null && HasRoleInDepartment(staff, task.Role, task.DepartmentId);
    }

    /// <summary>Whether <paramref name="user"/> may hand the task to someone else.</summary>
    public static bool MayReassign(FeedbackTask task, string user, StaffMember? staff)
    {
        if (MayWork(task, user, staff)) return true;
        if (staff is not { Active: true } || IsExcluded(task, user)) return false;
        return staff.Roles.Contains(StaffRole.Management)
            || staff.Roles.Contains(StaffRole.ComplaintDeskManager)
            || HasRoleInDepartment(staff, nameof(StaffRole.DepartmentHead), task.DepartmentId);
    }

    /// <summary>Whether the task keeps <paramref name="user"/> out: the feedback is about them, or they rectified what it reviews.</summary>
    public static bool IsExcluded(FeedbackTask task, string user) => task.Excluded.Contains(user, StringComparer.OrdinalIgnoreCase);

    /// <summary>Who the task is for, in words: "alice" or "role DepartmentHead in quality".</summary>
    public static string Audience(FeedbackTask task) =>
        task.ClaimedBy ?? task.Assignee
        ?? $"role {task.Role}" + (task.DepartmentId is null ? " in any department" : $" in {task.DepartmentId}");

    private static bool HasRoleInDepartment(StaffMember staff, string? role, string? departmentId) =>
        role is not null
        && Enum.TryParse<StaffRole>(role, out var wanted) && staff.Roles.Contains(wanted)
        && (departmentId is null || staff.DepartmentId == departmentId);
}
