using Feedback.Activities.Organization;
using Feedback.Activities.Tasks;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>The rule of who may work on and reassign a task.</summary>
public sealed class TaskAccessTests
{
    private static FeedbackTask Task(string? assignee = null, string? role = null, string? department = null, FeedbackTaskStatus status = FeedbackTaskStatus.Open, string? claimedBy = null) => new()
    {
        Id = "t1", WorkflowInstanceId = "i1", BookmarkId = "b1", ActivityId = "a1", Title = "Review",
        Assignee = assignee, Role = role, DepartmentId = department, Status = status, ClaimedBy = claimedBy,
    };

    private static StaffMember Member(string user, string department, params StaffRole[] roles) =>
        new() { UserName = user, DisplayName = user, DepartmentId = department, Roles = roles.ToList() };

    [Fact]
    public void A_personal_task_is_only_for_its_assignee()
    {
        var task = Task(assignee: "alice");
        TaskAccess.MayWork(task, "alice", null).Should().BeTrue("the directory need not know an assignee");
        TaskAccess.MayWork(task, "bob", Member("bob", "quality", StaffRole.DepartmentHead)).Should().BeFalse();
    }

    [Fact]
    public void A_role_task_is_for_active_members_with_the_role_in_the_department()
    {
        var task = Task(role: "DepartmentHead", department: "quality");
        TaskAccess.MayWork(task, "chen", Member("chen", "quality", StaffRole.DepartmentHead)).Should().BeTrue();
        TaskAccess.MayWork(task, "wu", Member("wu", "production", StaffRole.DepartmentHead)).Should().BeFalse();
        TaskAccess.MayWork(task, "li", Member("li", "quality", StaffRole.Staff)).Should().BeFalse();
        TaskAccess.MayWork(task, "ghost", null).Should().BeFalse();
        var inactive = Member("chen", "quality", StaffRole.DepartmentHead);
        inactive.Active = false;
        TaskAccess.MayWork(task, "chen", inactive).Should().BeFalse();
        TaskAccess.MayWork(Task(role: "DepartmentHead"), "wu", Member("wu", "production", StaffRole.DepartmentHead)).Should().BeTrue("no department means any");
    }

    [Fact]
    public void A_claimed_task_is_only_for_its_claimant()
    {
        var task = Task(role: "Staff", department: "quality", status: FeedbackTaskStatus.Claimed, claimedBy: "li");
        TaskAccess.MayWork(task, "li", Member("li", "quality", StaffRole.Staff)).Should().BeTrue();
        TaskAccess.MayWork(task, "zhang", Member("zhang", "quality", StaffRole.Staff)).Should().BeFalse();
    }

    [Fact]
    public void Supervisors_may_reassign_what_they_may_not_work_on()
    {
        var task = Task(assignee: "li", department: "quality");
        TaskAccess.MayReassign(task, "li", null).Should().BeTrue();
        TaskAccess.MayReassign(task, "chen", Member("chen", "quality", StaffRole.DepartmentHead)).Should().BeTrue();
        TaskAccess.MayReassign(task, "wu", Member("wu", "production", StaffRole.DepartmentHead)).Should().BeFalse();
        TaskAccess.MayReassign(task, "ma", Member("ma", "management", StaffRole.Management)).Should().BeTrue();
        TaskAccess.MayReassign(task, "zhang", Member("zhang", "quality", StaffRole.Staff)).Should().BeFalse();
    }

    [Fact]
    public void The_audience_reads_as_words()
    {
        TaskAccess.Audience(Task(assignee: "li")).Should().Be("li");
        TaskAccess.Audience(Task(role: "DepartmentHead", department: "quality")).Should().Be("role DepartmentHead in quality");
        TaskAccess.Audience(Task(role: "DepartmentHead")).Should().Be("role DepartmentHead in any department");
    }
}
