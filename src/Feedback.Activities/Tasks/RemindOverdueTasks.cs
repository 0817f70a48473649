using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Links;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Sla;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tasks;

/// <summary>
/// Reminds whoever holds an overdue task: every open task past its due time gets a mail to those who may do it (with
/// their own link) and a copy to the head of its department, again after <see cref="RemindAgainAfter"/> while it stays
/// open. The mails and the tasks' reminder marks commit with the step, so a retried step reminds once.
/// </summary>
[Activity("Feedback", "Feedback",
    "Mails a reminder for every open task past its due time to whoever may do it, with a copy to the head of the task's department; again after a while as long as it stays open. With a Cron trigger it is the daily reminder.",
    DisplayName = "Remind Overdue Tasks")]
public sealed class RemindOverdueTasks(IDbContextFactory<FeedbackDbContext> dbFactory, MessageTemplates templates, SlaSettingsService slaSettings) : Activity
{
    /// <summary>The template (<c>task-reminder.{language}.liquid</c>) of both the reminder and the head's copy.</summary>
    public const string TemplateName = "task-reminder";
    /// <summary>The most tasks one run reminds: a run is one transaction.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>The history verb on the task's case.</summary>
    public const string HistoryAction = "TaskReminder";

    [Input(Description = "How long after a reminder a task still open is reminded again (d.hh:mm:ss); empty or zero reminds once. Somewhat less than the trigger's interval, so that a daily run reminds every day.", DefaultValue = "20:00:00", Order = 0)]
    public Input<TimeSpan?> RemindAgainAfter { get; set; } = default!;

    [Input(Description = "Send the head of the task's department (else of the case's lead department) a copy, unless the head holds the task or is kept out of it.", DefaultValue = true, Order = 1)]
    public Input<bool?> CopyDepartmentHead { get; set; } = default!;

    [Input(Description = "Remind only on a working day of the task department's calendar (weekends and holidays wait for the next working day).", DefaultValue = true, Order = 2)]
    public Input<bool?> OnWorkingDaysOnly { get; set; } = default!;

    [Input(Description = "At most this many tasks per run (1 to 10,000), never-reminded ones first; the rest wait for the next run.", DefaultValue = 500, Order = 3)]
    public Input<int?> Limit { get; set; } = default!;

    [Output(Description = "How many overdue tasks were reminded.")]
    public Output<int> Reminded { get; set; } = default!;

    [Output(Description = "How many mails were sent (reminders and copies).")]
    public Output<int> Mails { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var again = context.Get(RemindAgainAfter);
        if (again < TimeSpan.Zero) throw new FormatException($"Input 'RemindAgainAfter': {again} is negative.");
        var limit = context.Get(Limit) ?? 500;
        if (limit is < 1 or > MaxLimit) throw new FormatException($"Input 'Limit': {limit} is not between 1 and {MaxLimit}.");
        var copyHead = context.Get(CopyDepartmentHead) ?? true;
        var workingDaysOnly = context.Get(OnWorkingDaysOnly) ?? true;
        var now = context.Now;
        DateTimeOffset? remindedBefore = again is { } span && span > TimeSpan.Zero ? now - span : null;

        List<FeedbackTask> overdue;
        Dictionary<string, string?> leadOf;
        Dictionary<string, Department> departments;
        Dictionary<string, StaffMember> staff;
        await using (var db = await dbFactory.CreateDbContextAsync(context.CancellationToken))
        {
            var open = db.Tasks.AsNoTracking().Where(t => (t.Status == FeedbackTaskStatus.Open || t.Status == FeedbackTaskStatus.Claimed) && t.DueAt != null && t.DueAt <= now);
            open = remindedBefore is { } before ? open.Where(t => t.RemindedAt == null || t.RemindedAt <= before) : open.Where(t => t.RemindedAt == null);
            // Never-reminded tasks first, then the least recently reminded, so that a backlog larger than the limit is
            // worked through over the days instead of the same oldest tasks being chosen every morning. More than the
            // limit is read: tasks whose department has a day off are passed over below.
            overdue = await open.OrderBy(t => t.RemindedAt != null).ThenBy(t => t.RemindedAt).ThenBy(t => t.DueAt).ThenBy(t => t.Id)
                .Take(limit * 4).ToListAsync(context.CancellationToken);
            var numbers = overdue.Where(t => t.CaseNumber is not null).Select(t => t.CaseNumber!).Distinct().ToList();
            leadOf = await db.Cases.AsNoTracking().Where(c => numbers.Contains(c.Number))
                .ToDictionaryAsync(c => c.Number, c => c.LeadDepartment, context.CancellationToken);
            departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, context.CancellationToken);
            staff = await db.Staff.AsNoTracking().ToDictionaryAsync(s => s.UserName, StringComparer.OrdinalIgnoreCase, context.CancellationToken);
        }
        var calendars = (await slaSettings.GetAsync(context.CancellationToken)).Calendars;
        var issuer = context.Services.GetService<IActionLinkIssuer>();

        var reminded = new List<string>();
        var mails = 0;
        foreach (var task in overdue)
        {
            if (reminded.Count == limit) break;
            var department = task.DepartmentId ?? (task.CaseNumber is { } number ? leadOf.GetValueOrDefault(number) : null);
            var calendar = calendars.For(department).Calendar;
            if (workingDaysOnly && !IsWorkingDay(calendar, now)) continue;

            var recipients = TaskMail.Recipients(task, staff.Values, staff, now);
            var model = Model(task, calendar, now, copy: false, holder: null);
            var sent = TaskMail.Stage(context, task, recipients, TemplateName, "TaskReminder", model);
            mails += sent.Count;
            if (copyHead && department is not null && departments.GetValueOrDefault(department)?.Head is { } headName
                && HeadOrStandIn(staff, headName, task, now) is { } head && !sent.Contains(head.UserName, StringComparer.OrdinalIgnoreCase))
            {
                var holder = (task.ClaimedBy ?? task.Assignee) is { } person ? staff.GetValueOrDefault(person)?.DisplayName ?? person : null;
                var copy = Model(task, calendar, now, copy: true, holder);
                if (issuer is not null && task.CaseNumber is not null) copy["CasePage"] = issuer.CasePage(task.CaseNumber);
                context.AddOutboxMessage(NotifyCustomer.EmailOutboxType, templates.StaffMail(TemplateName, head, copy, task.CaseNumber, "TaskReminderCopy", now));
                mails++;
                sent = [.. sent, head.UserName];
            }

            var to = sent.Count == 0 ? "nobody could be mailed (no address, or nobody may do it)" : "mailed to " + string.Join(", ", sent);
            context.Enlist(new TaskReminded(task.Id, task.RemindedAt, now, task.CaseNumber,
                $"Task '{task.Title}' is overdue (due {(string?)model["Task"]!["Due"]}): reminder {task.Reminders + 1} {to}."));
            reminded.Add(task.Id);
        }

        context.Set(Reminded, reminded.Count);
        context.Set(Mails, mails);
        context.AddJournal("TasksReminded", $"{reminded.Count} overdue tasks reminded, {mails} mails.", new JsonObject { ["tasks"] = new JsonArray(reminded.Select(id => (JsonNode?)id).ToArray()) });
        context.Complete();
    }

    /// <summary>The template's model; the due time is shown in the time zone of the department's calendar.</summary>
    /// <param name="holder">For the head's copy: who holds the task; null while it waits for anyone with its role.</param>
    private static JsonObject Model(FeedbackTask task, WorkingCalendar calendar, DateTimeOffset now, bool copy, string? holder) => new()
    {
        ["Task"] = new JsonObject
        {
            ["Title"] = task.Title, ["CaseNumber"] = task.CaseNumber,
            ["Due"] = $"{TimeZoneInfo.ConvertTime(task.DueAt!.Value, calendar.TimeZone):yyyy-MM-dd HH:mm} ({calendar.TimeZone.Id})",
            ["OverdueDays"] = (int)Math.Floor((now - task.DueAt!.Value).TotalDays), ["Reminder"] = task.Reminders + 1,
        },
        ["Holder"] = holder,
        ["IsCopy"] = copy,
    };

    /// <summary>
    /// Who gets the head's copy: the head, or while they are away their delegate; never someone the task keeps out (the
    /// person complained about), nor anyone inactive or without an address.
    /// </summary>
    private static StaffMember? HeadOrStandIn(Dictionary<string, StaffMember> staff, string headName, FeedbackTask task, DateTimeOffset now)
    {
        bool Reachable(StaffMember s) => s.Active && !string.IsNullOrWhiteSpace(s.Email) && !TaskAccess.IsExcluded(task, s.UserName);
        if (staff.GetValueOrDefault(headName) is not { } head || TaskAccess.IsExcluded(task, head.UserName)) return null;
        if (!head.IsAbsentAt(now)) return Reachable(head) ? head : null;
        return head.Delegate is { } stand && staff.GetValueOrDefault(stand) is { } standIn && !standIn.IsAbsentAt(now) && Reachable(standIn) ? standIn : null;
    }

    private static bool IsWorkingDay(WorkingCalendar calendar, DateTimeOffset now) =>
        calendar.IntervalsOn(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, calendar.TimeZone).DateTime)).Count > 0;
}
