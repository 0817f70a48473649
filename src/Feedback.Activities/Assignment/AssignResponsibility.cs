using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;

namespace Feedback.Activities.Assignment;

/// <summary>
/// Routes a case to the department that leads its category (with helping departments) and to that department's
/// eligible member with the fewest open cases. The person the feedback is about is never chosen.
/// </summary>
[Activity("Feedback", "Feedback", "Assigns the case to the responsible department and its least-loaded eligible member.", DisplayName = "Assign Responsibility")]
[FlowNode(Outcomes.Assigned, Outcomes.NoEligibleAssignee)]
public sealed class AssignResponsibility(DirectoryService directory, CaseService cases) : Activity
{
    public static class Outcomes
    {
        public const string Assigned = "Assigned";
        public const string NoEligibleAssignee = "NoEligibleAssignee";
    }

    [Input(Description = "The case; empty means the instance's correlation id.")]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Input(Description = "The category to route by; empty means the case's category.", Options = ["", "ProductQuality", "ServiceAttitude", "DeliveryLogistics", "AfterSales", "Suggestion", "Other"])]
    public Input<string?> Category { get; set; } = default!;

    [Input(Description = "Category is a person's classification of the case (the complaint desk's, when the rules were unsure): record it as the case's. Off, Category only routes, and the case keeps its own.")]
    public Input<bool> RecordCategory { get; set; } = default!;

    [Input(Description = "The role the assignee must have.", DefaultValue = nameof(StaffRole.Staff), Options = ["Staff", "DepartmentHead", "ComplaintDesk", "ComplaintDeskManager", "Management"])]
    public Input<string?> Role { get; set; } = default!;

    [Input(Description = "People who must not get this case (e.g. whoever already rectified it).", UIHint = InputUIHints.MultiText, DefaultSyntax = "Object")]
    public Input<List<string>?> Exclude { get; set; } = default!;

    [Input(Description = "A person to make responsible instead of the least-loaded member, e.g. whom a manager chose when nobody was eligible; empty chooses. Must be an active member who is present, not excluded and not the person complained about; otherwise NoEligibleAssignee.")]
    public Input<string?> AssignTo { get; set; } = default!;

    [Input(Description = "Mail the heads of the helping departments once the case has someone responsible: who leads it, who is responsible, and the feedback.", DefaultValue = true)]
    public Input<bool> NotifyHelpers { get; set; } = default!;

    [Output(Description = "The lead department's id.")]
    public Output<string> Department { get; set; } = default!;

    [Output(Description = "The helping departments' ids.")]
    public Output<List<string>> HelperDepartments { get; set; } = default!;

    [Output(Description = "The user name of the person now responsible.")]
    public Output<string> Assignee { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = Cases.CaseInputs.Number(context, CaseNumber);
        var feedback = await cases.FindForStepAsync(number, context) ?? throw new KeyNotFoundException($"No case {number}.");
        var categoryText = context.Get(Category);
        var category = !string.IsNullOrWhiteSpace(categoryText)
            ? Enum.Parse<FeedbackCategory>(categoryText, ignoreCase: true)
            : feedback.Category ?? throw new FormatException($"Case {number} has no category yet; classify it first or set Category.");
        var role = Enum.Parse<StaffRole>(context.Get(Role) is { Length: > 0 } r ? r : nameof(StaffRole.Staff), ignoreCase: true);

        var rule = await directory.RoutingForAsync(category, context.CancellationToken);
        var chosen = context.Get(AssignTo)?.Trim();
        if (rule is null && string.IsNullOrEmpty(chosen))
        {
            context.AddJournal("NoRouting", $"The routing table has no department for {category}.");
            context.Complete(Outcomes.NoEligibleAssignee);
            return;
        }
        var excluded = (context.Get(Exclude) ?? []).Append(feedback.ComplainedAbout).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool Eligible(StaffMember member) => member.Active && !excluded.Contains(member.UserName) && !member.IsAbsentAt(context.Now);
        var pick = !string.IsNullOrEmpty(chosen)
            ? await directory.FindAsync(chosen, context.CancellationToken) is { } member && Eligible(member) ? member : null
            : (await directory.CandidatesAsync(rule!.LeadDepartment, role, context.CancellationToken))
                .Where(c => Eligible(c.Member))
                .OrderBy(c => c.OpenCases).ThenBy(c => c.Member.UserName, StringComparer.Ordinal)
                .Select(c => c.Member).FirstOrDefault();
        // History lines outlive retention and staff read them: the reason never names the person complained about.
        var nobody = string.IsNullOrEmpty(chosen)
            ? $"no active {role} present who may take it (the person complained about and anyone excluded are left out)."
            : $"{chosen} cannot take it: unknown, inactive, absent, excluded or the person complained about.";
        // A category without a routing rule goes to the chosen person's department.
        var lead = rule?.LeadDepartment ?? pick?.DepartmentId;
        var helpers = rule?.HelperDepartments ?? [];
        var recorded = context.Get(RecordCategory) && category != feedback.Category ? category : (FeedbackCategory?)null;
        var owner = pick?.UserName;

        context.Set(Department, lead!);
        context.Set(HelperDepartments, helpers);
        var details = (recorded is { } c1 ? $"Category {c1} (was {feedback.Category?.ToString() ?? "none"}). " : "")
            + (lead is null ? "" : $"Lead {lead}, helpers {string.Join(", ", helpers)}, ") + (owner is null ? nobody : $"owner {owner}.");
        // The department leads the case even while nobody in it can take it: reports count it there, escalation finds its head.
        context.Enlist(new CaseChange(number, owner is null ? "NoEligibleAssignee" : "Assigned", details, c =>
            {
                if (recorded is { } set) c.Category = set;
                if (lead is not null) (c.LeadDepartment, c.HelperDepartments) = (lead, helpers.ToList());
                if (owner is not null) (c.Owner, c.Status) = (owner, CaseStatus.Assigned);
                else if (c.Status is CaseStatus.Registered) c.Status = CaseStatus.Classified;
            }));
        if (owner is null)
        {
            context.AddJournal("NoEligibleAssignee", $"{lead ?? "no department"}: {nobody}");
            context.Complete(Outcomes.NoEligibleAssignee);
            return;
        }
        if (context.Get(NotifyHelpers) && helpers.Count > 0)
            await NotifyHelpersAsync(context, feedback, recorded ?? feedback.Category ?? category, lead!, owner, helpers);
        context.Set(Assignee, owner);
        context.Complete(Outcomes.Assigned);
    }

    private async Task NotifyHelpersAsync(ActivityExecutionContext context, FeedbackCase feedback, FeedbackCategory category, string lead, string owner,
        IReadOnlyList<string> helpers)
    {
        var organization = await directory.HeadsOfAsync(helpers, context.CancellationToken);
        var told = new List<string>();
        foreach (var helper in helpers)
        {
            var heads = Escalation.EscalationRecipients.HeadOf(organization, feedback, helper, context.Now);
            foreach (var head in heads)
                context.AddOutboxMessage(Notification.NotifyCustomer.EmailOutboxType, HelperNotice.Mail(context, feedback, category, lead, owner, helper, head));
            told.Add(heads.Count > 0 ? $"{helper} ({string.Join(", ", heads.Select(h => h.UserName))})" : $"{helper} (nobody reachable: no head with an address, or away without a delegate)");
        }
        context.Enlist(new CaseChange(feedback.Number, "HelpersNotified", $"Helping departments told: {string.Join("; ", told)}.", _ => { }));
    }
}
