using System.Globalization;
using System.Text.Json.Nodes;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Reports;

/// <summary>
/// Mails a period's report figures: each department head the figures of the cases their department leads, and the
/// members with one of <see cref="ToRoles"/> (management, process owners) every department's and the total. The mail
/// leaves through the step's outbox, so a retried step mails once; with a Cron trigger it is the monthly report.
/// </summary>
[Activity("Feedback", "Feedback",
    "Mails the report of a period (the last whole month when empty): each department head their department's volume, on-time, satisfaction and repeat-complaint rates, and the members with the given roles every department's and the total.",
    DisplayName = "Send Monthly Report")]
public sealed class SendMonthlyReport(ReportService reports, FeedbackDomainOptions options, MessageTemplates templates, IDbContextFactory<FeedbackDbContext> dbFactory)
    : Activity
{
    /// <summary>The template (<c>monthly-report.{language}.liquid</c>) and the mail's kind.</summary>
    public const string TemplateName = "monthly-report";

    [Input(Description = "The period: 2026-10, 2026-Q3, 2026-H2, 2026 or 2026-10-01..2026-10-15; empty means the month before the current one in the report time zone (Reports:TimeZone), so a Cron trigger should fire after midnight of the 1st there.", Order = 0)]
    public Input<string?> Period { get; set; } = default!;

    [Input(Description = "Mail each department head the figures of the cases their department leads.", DefaultValue = true, Order = 1)]
    public Input<bool?> ToDepartmentHeads { get; set; } = default!;

    [Input(Description = "Roles whose members get every department's figures and the total, comma-separated.", DefaultValue = "Management, ProcessOwner", Order = 2)]
    public Input<string?> ToRoles { get; set; } = default!;

    [Output(Description = "The period reported, e.g. 2026-10.")]
    public Output<string> ReportedPeriod { get; set; } = default!;

    [Output(Description = "How many people the report was mailed to.")]
    public Output<int> Recipients { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var period = PeriodOf(Blank(context.Get(Period)), context.Now);
        var roles = RolesOf(context.Get(ToRoles));
        var toHeads = context.Get(ToDepartmentHeads) ?? true;
        var report = await reports.ComputeAsync(period, ReportDimension.Department, null, context.CancellationToken);

        List<Department> departments;
        List<StaffMember> staff;
        await using (var db = await dbFactory.CreateDbContextAsync(context.CancellationToken))
        {
            departments = await db.Departments.AsNoTracking().OrderBy(d => d.Id).ToListAsync(context.CancellationToken);
            staff = await db.Staff.AsNoTracking().Where(s => s.Active && s.Email != null && s.Email != "").ToListAsync(context.CancellationToken);
        }
        string NameOf(string? id) => id is null ? "-" : departments.FirstOrDefault(d => d.Id == id)?.Name ?? id;
        var everything = report.Rows.Select(r => Row(NameOf(r.Key), r)).Append(Row(null, report.Total)).ToList();

        var sent = new List<string>();
        // Whoever holds one of the roles gets the whole report, and only that one even when they also head a department.
        var whole = staff.Where(s => s.Roles.Any(roles.Contains)).OrderBy(s => s.UserName, StringComparer.Ordinal).ToList();
        foreach (var person in whole)
        {
            Stage(context, person, period, null, everything);
            sent.Add(person.UserName);
        }
        if (toHeads)
            // One mail per department: a head of two departments gets both.
            foreach (var department in departments.Where(d => d.Head is not null))
                if (staff.FirstOrDefault(s => s.UserName == department.Head) is { } head && !whole.Contains(head))
                {
                    var figures = report.Rows.FirstOrDefault(r => r.Key == department.Id) ?? ReportQuery.Empty(department.Id);
                    Stage(context, head, period, department.Name, [Row(department.Name, figures)]);
                    if (!sent.Contains(head.UserName)) sent.Add(head.UserName);
                }

        context.Set(ReportedPeriod, period.Label);
        context.Set(Recipients, sent.Count);
        context.AddJournal("ReportMailed", $"The {period.Label} report was mailed to {sent.Count} people: {string.Join(", ", sent)}.");
        context.Complete();
    }

    private void Stage(ActivityExecutionContext context, StaffMember person, ReportPeriod period, string? department, List<JsonObject> rows)
    {
        var model = new JsonObject
        {
            ["Period"] = period.Label,
            ["Department"] = department,
            ["Rows"] = new JsonArray(rows.Select(r => (JsonNode?)r.DeepClone()).ToArray()),
        };
        context.AddOutboxMessage(NotifyCustomer.EmailOutboxType, templates.StaffMail(TemplateName, person, model, caseNumber: null, "MonthlyReport", context.Now));
    }

    /// <summary>One row as the template shows it: counts, and rates as percentages ("-" without data); no name for the total.</summary>
    private static JsonObject Row(string? name, ReportFigures f) => new()
    {
        ["Name"] = name, ["IsTotal"] = name is null, ["Cases"] = f.Cases, ["NegativeReviews"] = f.NegativeReviews, ["Malicious"] = f.Malicious, ["Duplicates"] = f.Duplicates, ["Praise"] = f.Praise,
        ["Due"] = f.DueInPeriod, ["OnTime"] = f.OnTime, ["OnTimeRate"] = Percent(f.OnTimeRate),
        ["Rectified"] = f.Rectified, ["Satisfied"] = f.Satisfied, ["SatisfactionRate"] = Percent(f.SatisfactionRate),
        ["Repeats"] = f.Repeats, ["RepeatRate"] = Percent(f.RepeatRate), ["Escalated"] = f.Escalated,
    };

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "-";

    /// <exception cref="FormatException">The period is not one the reports understand.</exception>
    private ReportPeriod PeriodOf(string? text, DateTimeOffset now)
    {
        if (text is not null)
        {
            try { return ReportPeriod.Parse(text); }
            catch (ReportValidationException e) { throw new FormatException($"Input 'Period': {e.Message}"); }
        }
        var local = TimeZoneInfo.ConvertTime(now, options.Reports.Zone);
        var previous = new DateOnly(local.Year, local.Month, 1).AddMonths(-1);
        return ReportPeriod.Month(previous.Year, previous.Month);
    }

    /// <exception cref="FormatException">A name that is not a staff role.</exception>
    private static HashSet<StaffRole> RolesOf(string? text)
    {
        var roles = new HashSet<StaffRole>();
        foreach (var name in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            roles.Add(Enum.TryParse<StaffRole>(name, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(name, out _)
                ? role
                : throw new FormatException($"Input 'ToRoles': '{name}' is not a role; use some of {string.Join(", ", Enum.GetNames<StaffRole>())}."));
        return roles;
    }
}
