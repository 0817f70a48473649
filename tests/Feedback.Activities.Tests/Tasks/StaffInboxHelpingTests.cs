using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Tasks;
using Feedback.Activities.Tests.Reports;
using Feedback.Workflows.Runtime;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>The inbox list of cases a member's department helps with, on both databases (the helper list is a JSON column).</summary>
public abstract class StaffInboxHelpingTests(bool postgres) : IAsyncLifetime
{
    private ReportDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await ReportDatabase.CreateAsync(postgres);
        var now = DateTimeOffset.UtcNow;
        await using var db = _db.CreateDbContext();
        FeedbackCase Case(int n, string lead, List<string> helpers, string? about = null) => new()
        {
            Number = $"FB-2026-{n:000000}", Content = $"Case {n}", ReceivedAt = now, Channel = FeedbackChannel.WebForm, Anonymous = true,
            LeadDepartment = lead, HelperDepartments = helpers, ComplainedAbout = about, Title = $"Title {n}",
            WorkflowInstanceId = $"wf-{n}", WorkflowDefinitionId = "general-feedback", CreatedAt = now, UpdatedAt = now,
        };
        db.Cases.AddRange(Case(1, "quality", ["production"]), Case(2, "logistics", ["customer-service", "production-planning"]),
            Case(3, "quality", ["production"], about: "zhao.qiang"), Case(4, "production", ["quality"]));
        FeedbackTask Task(string id, int n, string? department, FeedbackTaskStatus status = FeedbackTaskStatus.Open) => new()
        {
            Id = id, WorkflowInstanceId = $"wf-{n}", BookmarkId = "b-" + id, ActivityId = "plan", CaseNumber = $"FB-2026-{n:000000}",
            Title = "Submit a rectification plan", Assignee = "someone", DepartmentId = department, Status = status, CreatedAt = now,
        };
        db.Tasks.AddRange(Task("t1", 1, null), Task("t1-done", 1, null, FeedbackTaskStatus.Completed), Task("t2", 2, null), Task("t3", 3, null),
            Task("t4", 4, "production"), Task("t5", 1, "production"));
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_helping_department_sees_the_open_tasks_of_the_cases_it_helps_with_and_nothing_else()
    {
        var inbox = new StaffInbox(_db, new SystemClock());
        StaffMember Member(string user, string department) => new() { UserName = user, DisplayName = user, DepartmentId = department, Roles = [StaffRole.Staff] };

        // Not case 2 ("production-planning" is another department), not case 3 (it is about this member), not the
        // completed task, not case 4 (production leads it), not t5 (given to production: in the department list already).
        (await inbox.HelpingAsync(Member("zhao.qiang", "production"), default)).Select(i => (i.Task.Id, i.CaseTitle)).Should().Equal(("t1", "Title 1"));
        (await inbox.HelpingAsync(Member("wu.lei", "production"), default)).Select(i => i.Task.Id).Should().BeEquivalentTo(["t1", "t3"]);
        (await inbox.HelpingAsync(Member("lin.fang", "customer-service"), default)).Select(i => i.Task.Id).Should().Equal("t2");
        (await inbox.HelpingAsync(Member("li.wei", "quality"), default)).Select(i => i.Task.Id).Should().Equal("t4");
    }

    [Fact]
    public async Task My_list_leaves_out_the_role_tasks_of_a_case_about_me_and_tasks_that_exclude_me()
    {
        await using (var db = _db.CreateDbContext())
        {
            FeedbackTask DeskTask(string id, int n, List<string>? excluded = null) => new()
            {
                Id = id, WorkflowInstanceId = $"wf-{n}", BookmarkId = "b-" + id, ActivityId = "desk", CaseNumber = $"FB-2026-{n:000000}",
                Title = "Review the complaint", Role = nameof(StaffRole.ComplaintDesk), DepartmentId = "complaint-desk",
                Status = FeedbackTaskStatus.Open, CreatedAt = DateTimeOffset.UtcNow, Excluded = excluded ?? [],
            };
            db.Tasks.AddRange(DeskTask("desk-1", 1), DeskTask("desk-3", 3), DeskTask("desk-2", 2, excluded: ["zhao.qiang"]));
            await db.SaveChangesAsync();
        }
        var inbox = new StaffInbox(_db, new SystemClock());
        StaffMember Desk(string user) => new() { UserName = user, DisplayName = user, DepartmentId = "complaint-desk", Roles = [StaffRole.ComplaintDesk] };

        // Case 3 is about zhao.qiang; desk-2 excludes him.
        (await inbox.MineAsync(Desk("zhao.qiang"), default)).Select(i => i.Task.Id).Should().Equal("desk-1");
        (await inbox.MineAsync(Desk("he.min"), default)).Select(i => i.Task.Id).Should().BeEquivalentTo(["desk-1", "desk-2", "desk-3"]);
        (await inbox.DepartmentAsync(Desk("zhao.qiang"), default)).Select(i => i.Task.Id).Should().Equal("desk-1");
    }

    [Fact]
    public async Task A_long_list_of_tasks_that_exclude_me_does_not_hide_the_ones_after_it_I_may_do()
    {
        var now = DateTimeOffset.UtcNow;
        await using (var db = _db.CreateDbContext())
        {
            FeedbackTask Review(string id, DateTimeOffset due, List<string> excluded) => new()
            {
                Id = id, WorkflowInstanceId = "wf-4", BookmarkId = "b-" + id, ActivityId = "review", CaseNumber = "FB-2026-000004",
                Title = "Review the rectification", Role = nameof(StaffRole.Staff), DepartmentId = "production",
                Status = FeedbackTaskStatus.Open, CreatedAt = now, DueAt = due, Excluded = excluded,
            };
            db.Tasks.AddRange(Enumerable.Range(0, StaffInbox.MaxItems).Select(i => Review($"x{i:000}", now.AddHours(1), ["zhao.qiang"])));
            db.Tasks.Add(Review("mine", now.AddHours(2), []));
            await db.SaveChangesAsync();
        }
        var inbox = new StaffInbox(_db, new SystemClock());
        var member = new StaffMember { UserName = "zhao.qiang", DisplayName = "zhao.qiang", DepartmentId = "production", Roles = [StaffRole.Staff] };

        (await inbox.DepartmentAsync(member, default)).Select(i => i.Task.Id).Should().Contain("mine", "the 200 earlier tasks all exclude this reader");
    }
}

public sealed class PostgresStaffInboxHelpingTests() : StaffInboxHelpingTests(postgres: true);

public sealed class SqliteStaffInboxHelpingTests() : StaffInboxHelpingTests(postgres: false);
