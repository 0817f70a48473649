using Feedback.Activities.Access;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Escalation;

/// <summary>
/// Moves a case up the escalation chain (department head, complaint desk manager, management), records who escalated
/// it and why, and mails the people of the level reached. The level and the history line are written in the step's
/// commit and the mail leaves through the outbox after it, so a retried step escalates once.
/// </summary>
[Activity("Feedback", "Feedback",
    "Raises the case's escalation level by one (or to a given level), records who escalated it and why, and mails the people of that level: the department head, the complaint desk managers or management. Each level is an outcome; AlreadyAtTop when management already has the case. With Alert only, it tells the people of the given level and leaves the level as it is.",
    DisplayName = "Escalate")]
[FlowNode(Outcomes.DepartmentHead, Outcomes.ComplaintDeskManager, Outcomes.Management, Outcomes.AlreadyAtTop)]
public sealed class Escalate(CaseService cases, DirectoryService directory) : Activity
{
    /// <summary>The ports this activity completes with: the level the case reached.</summary>
    public static class Outcomes
    {
        public const string DepartmentHead = "DepartmentHead";
        public const string ComplaintDeskManager = "ComplaintDeskManager";
        public const string Management = "Management";
        public const string AlreadyAtTop = "AlreadyAtTop";
    }

    /// <summary>The <c>message</c> of escalation mails in the outbox, beside the customer messages' names.</summary>
    public const string MailKind = "Escalation";

    /// <summary>The <c>message</c> of an alert's mail (<see cref="AlertOnly"/>).</summary>
    public const string AlertMailKind = "Alert";

    /// <summary>The actor recorded when no one is named in <see cref="By"/>.</summary>
    public const string DefaultActor = "workflow";

    [Input(Description = "Why the case is escalated; it goes into the case history and the mail.", UIHint = InputUIHints.MultiLine, Order = 0)]
    public Input<string> Reason { get; set; } = default!;

    [Input(Description = "Who escalates: a staff user name; empty records the workflow.", Order = 1)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "The level to go to: 1 department head, 2 complaint desk manager, 3 management; empty goes one level up. A case never goes down.", Order = 2)]
    public Input<int?> Level { get; set; } = default!;

    [Input(Description = "The department whose head is level 1; empty uses the case's lead department.", Order = 3)]
    public Input<string?> Department { get; set; } = default!;

    [Input(Description = "Only tell the people of Level (required then), for example of a food-safety risk, without raising the case's escalation level: later escalations and the escalation figures are unaffected. The history says Alerted.", Order = 4)]
    public Input<bool> AlertOnly { get; set; } = default!;

    [Input(Description = "Ask the people of Level (required then) and take its outcome even when the case is already higher, as a chain of decisions does (department head, then complaint desk manager, then management) after deadline escalations raised the case; the case's level still never goes down.", Order = 5)]
    public Input<bool> AskThisLevel { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 6)]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Output(Description = "The escalation level the case is at now (1 to 3).")]
    public Output<int> ReachedLevel { get; set; } = default!;

    [Output(Description = "The user names of the people who were mailed.")]
    public Output<List<string>> Recipients { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var reason = Blank(context.Get(Reason)) ?? throw new FormatException("Input 'Reason': say why the case is escalated; the history and the mail carry it.");
        var by = Blank(context.Get(By)) ?? DefaultActor;
        var requested = context.Get(Level);
        if (requested is < EscalationLevels.DepartmentHead or > EscalationLevels.Top)
            throw new FormatException($"Input 'Level': {requested} is not a level; use 1 (department head), 2 (complaint desk manager) or 3 (management), or leave it empty to go one level up.");
        var department = Blank(context.Get(Department));
        var alertOnly = context.Get(AlertOnly);
        if (alertOnly && requested is null) throw new FormatException("Input 'Level': an alert needs the level whose people it tells (1, 2 or 3).");
        var askLevel = context.Get(AskThisLevel);
        if (askLevel && requested is null) throw new FormatException("Input 'Level': AskThisLevel needs the level whose people are asked (1, 2 or 3).");
        var (level, names, details, atTop) = await RaiseAsync(context, cases, directory, number, reason, by, requested, department, alertOnly, askLevel);

        context.Set(ReachedLevel, level);
        context.Set(Recipients, names);
        context.Complete(atTop ? Outcomes.AlreadyAtTop : level switch
        {
            EscalationLevels.DepartmentHead => Outcomes.DepartmentHead,
            EscalationLevels.ComplaintDeskManager => Outcomes.ComplaintDeskManager,
            _ => Outcomes.Management,
        });
    }

    /// <summary>The escalation itself, shared with <see cref="Sla.SlaDeadline"/>: level, history line, journal and mail.</summary>
    /// <param name="requested">The level to go to; null goes one level up.</param>
    /// <param name="departmentInput">The department whose head is level 1; null uses the case's lead department.</param>
    /// <param name="alertOnly">Tell the people of <paramref name="requested"/> and leave the case's level as it is.</param>
    /// <param name="askLevel">Tell the people of <paramref name="requested"/> even below the case's level, which never goes down.</param>
    internal static async Task<(int Level, List<string> Recipients, string Details, bool AtTop)> RaiseAsync(ActivityExecutionContext context,
        CaseService cases, DirectoryService directory, string number, string reason, string by, int? requested, string? departmentInput,
        bool alertOnly = false, bool askLevel = false)
    {
        var feedback = await cases.FindForStepAsync(number, context) ?? throw new KeyNotFoundException($"No case {number}.");

        var previous = feedback.EscalationLevel;
        var atTop = !alertOnly && !askLevel && previous >= EscalationLevels.Top;
        var target = alertOnly || askLevel ? requested!.Value : atTop ? EscalationLevels.Top : Math.Max(requested ?? previous + 1, previous);
        var department = departmentInput ?? feedback.LeadDepartment;
        var organization = await directory.GetAsync(context.CancellationToken);
        if (target == EscalationLevels.DepartmentHead)
        {
            if (department is null)
                throw new InvalidOperationException($"Case {number} has no lead department, so level 1 has no department head; assign the case first or set Department.");
            if (organization.Departments.All(d => d.Id != department))
                throw new KeyNotFoundException($"Input 'Department': there is no department '{department}'.");
        }
        var reached = EscalationRecipients.Find(organization, feedback, department, target, context.Now);
        var level = reached.Level;

        foreach (var person in reached.People)
            context.AddOutboxMessage(NotifyCustomer.EmailOutboxType, Mail(context, feedback, person, level, previous, reason, by, department, alertOnly));
        var names = reached.People.Select(p => p.UserName).ToList();
        var details = new StringBuilder(alertOnly
            ? $"Alert to {EscalationLevels.Describe(level)} by {by} (the escalation level stays {previous}): {reason}"
            : atTop
            ? $"Already at {EscalationLevels.Describe(level)}; raised again by {by}: {reason}"
            : level < previous
            ? $"Asked level {level} ({EscalationLevels.Describe(level)}) by {by}; the case stays at level {previous}: {reason}"
            : $"Level {level} ({EscalationLevels.Describe(level)}) by {by}: {reason}");
        foreach (var note in reached.PassedOver) details.Append($" Passed over: {note}.");
        details.Append($" Notified {string.Join(", ", names)}.");
        var action = alertOnly ? "Alerted" : "Escalated";
        context.Enlist(new CaseChange(number, action, details.ToString(), alertOnly ? _ => { } : c => c.EscalationLevel = Math.Max(c.EscalationLevel, level),
            Actor: by));

        context.AddJournal(action, details.ToString(), new JsonObject { ["level"] = level, ["previous"] = previous });
        return (level, names, details.ToString(), atTop);
    }

    /// <summary>The mail template of escalations and alerts, in the staff language.</summary>
    public const string TemplateName = "escalation";

    /// <summary>The staff mail: what the case is, why it reached them, and what was done so far.</summary>
    private static JsonObject Mail(ActivityExecutionContext context, FeedbackCase feedback, StaffMember person, int level, int previous, string reason, string by,
        string? department, bool alertOnly)
    {
        var templates = context.Services.GetRequiredService<MessageTemplates>();
        var model = new JsonObject
        {
            ["Case"] = new JsonObject
            {
                ["Number"] = feedback.Number, ["About"] = Blank(feedback.Title) ?? Shorten(feedback.Content, 60),
                ["ReceivedAt"] = templates.Time(feedback.ReceivedAt), ["Channel"] = feedback.Channel.ToString(),
                ["Anonymous"] = feedback.Anonymous, ["Customer"] = PersonalData.MaskName(feedback.CustomerName),
                ["Category"] = feedback.Category?.ToString(), ["Severity"] = feedback.Severity?.ToString(), ["FoodSafety"] = feedback.FoodSafety,
                ["LeadDepartment"] = feedback.LeadDepartment, ["Owner"] = feedback.Owner, ["Status"] = feedback.Status.ToString(),
                ["ReworkCount"] = feedback.ReworkCount, ["Content"] = feedback.Content,
            },
            // The levels by name as well, for the templates to put in words.
            ["AlertOnly"] = alertOnly, ["Level"] = level, ["LevelRole"] = Role(level), ["Previous"] = previous, ["PreviousRole"] = Role(previous),
            ["Department"] = department,
            ["Reason"] = reason, ["By"] = by, ["At"] = templates.Time(context.Now),
        };
        return templates.StaffMail(TemplateName, person, model, feedback.Number, alertOnly ? AlertMailKind : MailKind, context.Now);
    }

    private static string Role(int level) => level switch
    {
        EscalationLevels.DepartmentHead => "DepartmentHead",
        EscalationLevels.ComplaintDeskManager => "ComplaintDeskManager",
        EscalationLevels.Management => "Management",
        _ => "None",
    };

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= length ? line : line[..length] + "…";
    }
}
