using Feedback.Activities.Access;
using Feedback.Activities.Organization;

namespace Feedback.Activities.StaffRecords;

/// <summary>
/// Who may see and act on word-of-mouth records, following <see cref="CaseAccess"/>: organisation-wide actors read
/// everyone's records, a department head their department's staff, a staff member their own. Auditors only read.
/// Customers' evaluations arrive through an integration or the complaint desk; colleagues evaluate as themselves;
/// supervisor evaluations come from the employee's department head or management. Only the employee answers.
/// </summary>
public static class StaffRecordAccess
{
    public static bool MayRead(Actor actor, string employee, string departmentId) =>
        CaseAccess.IsOrganisationWide(actor) || (actor.UserName is not null && actor.UserName == employee) || HeadOf(actor, departmentId);

    /// <summary>
    /// Whether the actor sees a customer author's name in full: those who may reveal customers' contacts anywhere
    /// (administrators, process owners, management, the complaint desk), never the evaluated employee. Everyone else
    /// gets it masked, as customers' contacts are.
    /// </summary>
    public static bool MaySeeCustomerName(Actor actor, StaffRecord record) =>
        !actor.IsIntegration && !string.Equals(actor.UserName, record.Employee, StringComparison.OrdinalIgnoreCase)
        && (actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management)
            || actor.Has(StaffRole.ComplaintDesk) || actor.Has(StaffRole.ComplaintDeskManager));

    /// <summary>The record's author as <paramref name="actor"/> may see it: staff authors as they are, a customer's name masked unless <see cref="MaySeeCustomerName"/>.</summary>
    public static string? AuthorFor(Actor actor, StaffRecord record) =>
        record.AuthorIsStaff || MaySeeCustomerName(actor, record) ? record.Author : PersonalData.MaskName(record.Author);

    /// <exception cref="AccessDeniedException">The actor may not read the employee's records.</exception>
    public static void EnsureRead(Actor actor, string employee, string departmentId)
    {
        if (!MayRead(actor, employee, departmentId))
            throw new AccessDeniedException($"{actor.AuditName} may not see the records of {employee}: another department's staff member.");
    }

    /// <exception cref="AccessDeniedException">The actor may not give an evaluation from this source.</exception>
    public static void EnsureCreate(Actor actor, StaffMember employee, StaffRecordSource source)
    {
        ReadOnlyCheck(actor);
        var allowed = source switch
        {
            StaffRecordSource.Customer => actor.IsIntegration || actor.Administrator || actor.Has(StaffRole.ComplaintDesk) || actor.Has(StaffRole.ComplaintDeskManager)
                || actor.Has(StaffRole.ProcessOwner),
            StaffRecordSource.Colleague => actor.Member is { Active: true } && actor.UserName != employee.UserName,
            _ => Manager(actor) || (HeadOf(actor, employee.DepartmentId) && actor.UserName != employee.UserName),
        };
        if (!allowed) throw new AccessDeniedException($"{actor.AuditName} may not record a {source} evaluation of {employee.UserName}.");
    }

    /// <exception cref="AccessDeniedException">The actor is not the evaluated employee.</exception>
    public static void EnsureAnswer(Actor actor, StaffRecord record)
    {
        if (actor.UserName is null || actor.UserName != record.Employee)
            throw new AccessDeniedException($"Only {record.Employee} may confirm or dispute a record about them.");
    }

    /// <exception cref="AccessDeniedException">The actor is neither the employee's department head nor management.</exception>
    public static void EnsureCredit(Actor actor, StaffRecord record)
    {
        ReadOnlyCheck(actor);
        if (!Manager(actor) && !HeadOf(actor, record.DepartmentId))
            throw new AccessDeniedException($"{actor.AuditName} may not credit suggestions in {record.DepartmentId}'s records.");
    }

    private static bool Manager(Actor actor) => actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management);

    private static bool HeadOf(Actor actor, string departmentId) => actor.Has(StaffRole.DepartmentHead) && actor.Member!.DepartmentId == departmentId;

    private static void ReadOnlyCheck(Actor actor)
    {
        if (actor.Has(StaffRole.Auditor) && !Manager(actor))
            throw new AccessDeniedException($"{actor.AuditName} is an auditor: records are read-only for auditors.");
    }
}
