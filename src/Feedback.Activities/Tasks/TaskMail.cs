using System.Text.Json.Nodes;
using Feedback.Activities.Links;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tasks;

/// <summary>
/// Mails a newly opened task to whoever may do it (its assignee, or every active member with its role in its
/// department), each with their own signed link to the task page. The mail leaves through the step's outbox.
/// </summary>
internal static class TaskMail
{
    public const string TemplateName = "staff-task";

    /// <summary>
    /// Who would get the task's mail: for an assigned task its assignee, for a role task every active member with the
    /// role in its department whom the task does not keep out, each replaced by their delegate while away.
    /// </summary>
    public static async Task<TaskRecipients> RecipientsAsync(ActivityExecutionContext context, FeedbackTask task)
    {
        var dbFactory = context.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>();
        List<StaffMember> staff;
        Dictionary<string, StaffMember> directory;
        await using (var db = await dbFactory.CreateDbContextAsync(context.CancellationToken))
        {
            // A role task in a department is for that department's members only: the rest of the directory stays unread.
            // A claimed task is its claimant's, who may be a stand-in from another department.
            var candidates = task.Status == FeedbackTaskStatus.Claimed && task.ClaimedBy is { } claimant ? db.Staff.Where(s => s.UserName == claimant)
                : task.Assignee is { } assignee ? db.Staff.Where(s => s.UserName == assignee)
                : task.DepartmentId is { } department ? db.Staff.Where(s => s.Active && s.DepartmentId == department)
                : db.Staff.Where(s => s.Active);
            staff = await candidates.AsNoTracking().ToListAsync(context.CancellationToken);
            var delegates = staff.Where(s => s.Delegate is not null && s.IsAbsentAt(context.Now)).Select(s => s.Delegate!).Distinct().ToList();
            directory = delegates.Count == 0 ? []
                : await db.Staff.AsNoTracking().Where(s => delegates.Contains(s.UserName)).ToDictionaryAsync(s => s.UserName, context.CancellationToken);
        }
        return Recipients(task, staff, directory, context.Now);
    }

    /// <summary>
    /// Who of <paramref name="candidates"/> gets the task's mail (those who may work on it), with delegates looked up in
    /// <paramref name="directory"/>; for a caller that holds the directory already, such as the daily reminder.
    /// </summary>
    public static TaskRecipients Recipients(FeedbackTask task, IEnumerable<StaffMember> candidates, IReadOnlyDictionary<string, StaffMember> directory, DateTimeOffset now)
    {
        // Whoever is away has the mail go to their delegate (with the delegate's own link), for an assigned task and for
        // a role task alike, unless the delegate is away too, inactive, or kept out of this task.
        StaffMember Reach(StaffMember s) =>
            s.IsAbsentAt(now) && s.Delegate is { } stand && directory.GetValueOrDefault(stand) is { Active: true } d
            && !d.IsAbsentAt(now) && !TaskAccess.IsExcluded(task, d.UserName) ? d : s;
        var reached = candidates.Where(s => s.Active && TaskAccess.MayWork(task, s.UserName, s)).Select(Reach).DistinctBy(s => s.UserName).ToList();
        return new TaskRecipients(
            reached.Where(s => !string.IsNullOrWhiteSpace(s.Email)).OrderBy(s => s.UserName, StringComparer.Ordinal).ToList(),
            reached.Any(s => !s.IsAbsentAt(now)));
    }

    /// <summary>Whether this host mails tasks at all (it has a link issuer, i.e. a web host serving the task pages).</summary>
    public static bool Sends(ActivityExecutionContext context) => context.Services.GetService<IActionLinkIssuer>() is not null;

    /// <summary>Stages one mail per recipient; returns their user names. Without a link issuer (no web host) nothing is sent.</summary>
    public static IReadOnlyList<string> Stage(ActivityExecutionContext context, FeedbackTask task, TaskRecipients recipients) =>
        Stage(context, task, recipients, TemplateName, "StaffTask", new JsonObject
        {
            ["Task"] = new JsonObject
            {
                ["Title"] = task.Title, ["Instructions"] = task.Instructions, ["CaseNumber"] = task.CaseNumber,
                ["DueAt"] = task.DueAt?.ToString("O"), ["Actions"] = string.Join(", ", task.Actions),
            },
        });

    /// <summary>
    /// Stages one mail per recipient from <paramref name="templateName"/> with <paramref name="model"/> and each
    /// recipient's own task link as <c>Link</c>; returns their user names. Without a link issuer nothing is sent.
    /// </summary>
    public static IReadOnlyList<string> Stage(ActivityExecutionContext context, FeedbackTask task, TaskRecipients recipients, string templateName, string kind, JsonObject model)
    {
        if (context.Services.GetService<IActionLinkIssuer>() is not { } issuer) return [];
        var templates = context.Services.GetRequiredService<MessageTemplates>();
        foreach (var person in recipients.Mailed)
        {
            var personal = model.DeepClone().AsObject();
            personal["Link"] = issuer.Issue(new ActionLinkRequest(ActionLinkKind.StaffTask, task.Id, task.CaseNumber, person.UserName));
            context.AddOutboxMessage(NotifyCustomer.EmailOutboxType, templates.StaffMail(templateName, person, personal, task.CaseNumber, kind, context.Now));
        }
        return recipients.Mailed.Select(r => r.UserName).ToList();
    }
}

/// <summary>Whom a task's mail goes to, and whether anyone who may do it is at work now.</summary>
internal sealed record TaskRecipients(IReadOnlyList<StaffMember> Mailed, bool AnyonePresent)
{
    /// <summary>Not looked up: no mail to send and no case whose task could go up.</summary>
    public static readonly TaskRecipients NotLookedUp = new([], AnyonePresent: true);
}
