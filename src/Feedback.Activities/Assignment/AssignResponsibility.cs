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

    [Input(Description = "The role the assignee must have.", DefaultValue = nameof(StaffRole.Staff), Options = ["Staff", "DepartmentHead", "ComplaintDesk", "ComplaintDeskManager", "Management"])]
    public Input<string?> Role { get; set; } = default!;

    [Input(Description = "People who must not get this case (e.g. whoever already rectified it).", UIHint = InputUIHints.MultiText, DefaultSyntax = "Object")]
    public Input<List<string>?> Exclude { get; set; } = default!;

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
        if (rule is null)
        {
            context.AddJournal("NoRouting", $"The routing table has no department for {category}.");
            context.Complete(Outcomes.NoEligibleAssignee);
            return;
        }
        var excluded = (context.Get(Exclude) ?? []).Append(feedback.ComplainedAbout).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var pick = (await directory.CandidatesAsync(rule.LeadDepartment, role, context.CancellationToken))
            .Where(c => !excluded.Contains(c.Member.UserName) && !c.Member.IsAbsentAt(context.Now))
            .OrderBy(c => c.OpenCases).ThenBy(c => c.Member.UserName, StringComparer.Ordinal)
            .Select(c => c.Member).FirstOrDefault();

        context.Set(Department, rule.LeadDepartment);
        context.Set(HelperDepartments, rule.HelperDepartments);
        if (pick is null)
        {
            context.AddJournal("NoEligibleAssignee", $"No active {role} in {rule.LeadDepartment} outside {string.Join(", ", excluded)}.");
            context.Complete(Outcomes.NoEligibleAssignee);
            return;
        }
        context.Set(Assignee, pick.UserName);
        context.Enlist(new CaseChange(number, "Assigned", $"Lead {rule.LeadDepartment}, helpers {string.Join(", ", rule.HelperDepartments)}, owner {pick.UserName}.", c =>
        {
            c.LeadDepartment = rule.LeadDepartment;
            c.HelperDepartments = rule.HelperDepartments.ToList();
            c.Owner = pick.UserName;
            c.Status = CaseStatus.Assigned;
        }));
        context.Complete(Outcomes.Assigned);
    }
}
