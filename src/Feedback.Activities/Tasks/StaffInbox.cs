using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Tasks;

/// <summary>A task in an inbox, with its case's title and whether the case reports a food-safety problem.</summary>
public sealed record InboxItem(FeedbackTask Task, string? CaseTitle, bool FoodSafety = false);

/// <summary>
/// A staff member's lists of unfinished work: their own (assigned to or claimed by them, or for a role they hold in
/// their department and not yet claimed), their department's (tasks of their department, or of cases their department
/// leads), and those of cases their department helps with (to follow them and give the responsible person what they need). Tasks of food-safety cases first, whatever their due time (the company handles food
/// safety first); then earliest due, then oldest. While colleagues who named the member as their delegate are absent,
/// their tasks are in the member's own list too. No list shows a task of a case about the member, nor a task that
/// excludes the member.
/// </summary>
public sealed class StaffInbox(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    /// <summary>The most items one list shows.</summary>
    public const int MaxItems = 200;

    public async Task<IReadOnlyList<InboxItem>> MineAsync(StaffMember member, CancellationToken cancellationToken)
    {
        if (!member.Active) return [];
        var (user, department) = (member.UserName, member.DepartmentId);
        var roles = member.Roles.Select(r => r.ToString()).ToList();
        var absent = await AbsentDelegatorsAsync(member, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Never a case about the member, whatever role task of it is open to the member's role (a complaint about a
        // complaint-desk member opens desk tasks).
        var about = db.Cases.Where(c => c.ComplainedAbout == user).Select(c => c.Number);
        var query = Unfinished(db).Where(t => t.Assignee == user || t.ClaimedBy == user
            || (t.ClaimedBy != null && absent.Contains(t.ClaimedBy)) || (t.ClaimedBy == null && t.Assignee != null && absent.Contains(t.Assignee))
            || (t.Assignee == null && t.Status == FeedbackTaskStatus.Open && t.Role != null && roles.Contains(t.Role)
                && (t.DepartmentId == null || t.DepartmentId == department)))
            .Where(t => t.CaseNumber == null || !about.Contains(t.CaseNumber));
        return await WithTitlesAsync(db, query, user, cancellationToken);
    }

    /// <summary>The colleagues who are absent now and named <paramref name="member"/> as their delegate.</summary>
    public async Task<List<string>> AbsentDelegatorsAsync(StaffMember member, CancellationToken cancellationToken)
    {
        if (!member.Active) return [];
        var user = member.UserName;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.UtcNow;
        return (await db.Staff.AsNoTracking().Where(s => s.Delegate == user).ToListAsync(cancellationToken))
            .Where(s => s.IsAbsentAt(now)).Select(s => s.UserName).ToList();
    }

    public async Task<IReadOnlyList<InboxItem>> DepartmentAsync(StaffMember member, CancellationToken cancellationToken)
    {
        if (!member.Active) return [];
        var department = member.DepartmentId;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var led = db.Cases.Where(c => c.LeadDepartment == department).Select(c => c.Number);
        var about = db.Cases.Where(c => c.ComplainedAbout == member.UserName).Select(c => c.Number);
        var query = Unfinished(db).Where(t => t.DepartmentId == department || (t.CaseNumber != null && led.Contains(t.CaseNumber)))
            .Where(t => t.CaseNumber == null || !about.Contains(t.CaseNumber));
        return await WithTitlesAsync(db, query, member.UserName, cancellationToken);
    }

    /// <summary>The unfinished tasks of cases the member's department helps with and neither leads nor is given.</summary>
    public async Task<IReadOnlyList<InboxItem>> HelpingAsync(StaffMember member, CancellationToken cancellationToken)
    {
        if (!member.Active) return [];
        var department = member.DepartmentId;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var helped = db.CasesHelpedBy(department)
            .Where(c => c.LeadDepartment != department && c.ComplainedAbout != member.UserName).Select(c => c.Number);
        var query = Unfinished(db).Where(t => t.DepartmentId != department && t.CaseNumber != null && helped.Contains(t.CaseNumber));
        return await WithTitlesAsync(db, query, member.UserName, cancellationToken);
    }

    private static IQueryable<FeedbackTask> Unfinished(FeedbackDbContext db) =>
        db.Tasks.AsNoTracking().Where(t => t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed);

    /// <summary>The query's tasks with their cases' titles, leaving out those that exclude <paramref name="reader"/>.</summary>
    private static async Task<IReadOnlyList<InboxItem>> WithTitlesAsync(FeedbackDbContext db, IQueryable<FeedbackTask> query, string reader, CancellationToken cancellationToken)
    {
        // Ordered in the query, so that a long list never cuts off a food-safety task for a later-due one.
        var ordered =
            from t in query
            join c in db.Cases.AsNoTracking() on t.CaseNumber equals c.Number into cases
            from c in cases.DefaultIfEmpty()
            let foodSafety = c != null && c.FoodSafety
            orderby foodSafety descending, t.DueAt == null, t.DueAt, t.CreatedAt, t.Id
            select new { Task = t, Title = c == null ? null : c.Title, FoodSafety = foodSafety };
        // The exclusions are a JSON list, read here rather than in SQL: a page that loses some to them is followed by
        // the next, so the tasks the reader may do after them still show.
        var items = new List<InboxItem>();
        for (var skip = 0; items.Count < MaxItems; skip += MaxItems)
        {
            var rows = await ordered.Skip(skip).Take(MaxItems).ToListAsync(cancellationToken);
            items.AddRange(rows.Where(r => !TaskAccess.IsExcluded(r.Task, reader)).Select(r => new InboxItem(r.Task, r.Title, r.FoodSafety)).Take(MaxItems - items.Count));
            if (rows.Count < MaxItems) break;
        }
        return items;
    }
}
