using Feedback.Activities.Cases;
using Feedback.Activities.Organization;

namespace Feedback.Activities.Access;

/// <summary>
/// Who is acting: a staff member (known to the directory or not), or an integration that presented only the API key.
/// </summary>
/// <param name="UserName">Null for an integration.</param>
/// <param name="Member">The directory entry; null for an integration or a user the directory does not know.</param>
/// <param name="Administrator">A signed-in administrator of the admin shell (the process owner's account).</param>
public sealed record Actor(string? UserName, StaffMember? Member, bool Administrator = false)
{
    /// <summary>An API-key call that names no staff member.</summary>
    public static readonly Actor Integration = new(null, null);

    public bool IsIntegration => UserName is null;

    /// <summary>How the actor appears in the audit trail.</summary>
    public string AuditName => UserName ?? "api-key";

    /// <summary>The actor's roles; none for integrations, unknown or inactive users.</summary>
    public bool Has(StaffRole role) => Member is { Active: true } m && m.Roles.Contains(role);
}

/// <summary>
/// Department-scoped access to cases and reports, and who may see customers' personal data.
/// <list type="bullet">
/// <item>Organisation-wide (every case, every report): process owners, management, the complaint desk, auditors, and
/// integrations (the API key without a staff user, so existing integrations keep working; they never see contacts).</item>
/// <item>Department heads and staff: cases their department leads or helps with, cases they own, and their
/// department's reports only.</item>
/// <item>Nobody reads a case about themselves (<see cref="FeedbackCase.ComplainedAbout"/>), nor its tasks.</item>
/// <item>Contacts are masked everywhere; revealing them is a separate, audited request allowed to process owners,
/// management, the complaint desk, the head of a department on the case, and the case owner. Auditors see masked data.</item>
/// </list>
/// </summary>
public static class CaseAccess
{
    public static bool IsOrganisationWide(Actor actor) =>
        actor.IsIntegration || actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management)
        || actor.Has(StaffRole.ComplaintDesk) || actor.Has(StaffRole.ComplaintDeskManager) || actor.Has(StaffRole.Auditor);

    public static bool MayRead(Actor actor, FeedbackCase feedback) =>
        !IsAbout(actor, feedback)
        && (IsOrganisationWide(actor) || OnTheCase(actor, feedback) || (actor.UserName is not null && feedback.Owner == actor.UserName));

    /// <summary>The feedback is about the actor: they see neither the case nor its tasks, whatever their role.</summary>
    public static bool IsAbout(Actor actor, FeedbackCase feedback) =>
        actor.UserName is { } user && string.Equals(feedback.ComplainedAbout, user, StringComparison.OrdinalIgnoreCase);

    public static bool MayRevealContacts(Actor actor, FeedbackCase feedback) =>
        !actor.IsIntegration && MayRead(actor, feedback)
        && (actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management) || actor.Has(StaffRole.ComplaintDesk) || actor.Has(StaffRole.ComplaintDeskManager)
            || (actor.Has(StaffRole.DepartmentHead) && OnTheCase(actor, feedback))
            || feedback.Owner == actor.UserName);

    /// <summary>
    /// On a task page: whoever may reveal contacts anywhere, and whoever may work on the open task (a callback or a
    /// reply needs the number or the address). Each reveal is still a line in the audit trail.
    /// </summary>
    public static bool MayRevealContactsFor(Actor actor, FeedbackCase feedback, Tasks.FeedbackTask task) =>
        MayRevealContacts(actor, feedback)
        || (actor.UserName is { } user && task.Status is Tasks.FeedbackTaskStatus.Open or Tasks.FeedbackTaskStatus.Claimed
            && Tasks.TaskAccess.MayWork(task, user, actor.Member));

    /// <summary>Organisation-wide actors see every task; others their department's, and those assigned to or claimed by them.</summary>
    public static bool MayReadTask(Actor actor, Tasks.FeedbackTask task) =>
        IsOrganisationWide(actor)
        || (actor.UserName is not null && (task.Assignee == actor.UserName || task.ClaimedBy == actor.UserName))
        || (actor.Member is { Active: true } m && task.DepartmentId == m.DepartmentId);

    /// <summary>Process owners, management and the complaint desk flag feedback (malicious or false, a duplicate, praise); integrations cannot.</summary>
    public static bool MayFlag(Actor actor) =>
        actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management)
        || actor.Has(StaffRole.ComplaintDesk) || actor.Has(StaffRole.ComplaintDeskManager);

    /// <summary>
    /// Staff who may read the case write notes on it, except those who only audit; integrations write none, a note
    /// always has a person behind it.
    /// </summary>
    public static bool MayNote(Actor actor, FeedbackCase feedback) =>
        !actor.IsIntegration && MayRead(actor, feedback)
        && (actor.Administrator || (actor.Member is { Active: true } m && m.Roles.Any(r => r != StaffRole.Auditor)));

    /// <summary>
    /// Who may give the case to another responsible member: whoever flags feedback, and the head of the case's lead
    /// department, as themselves (never an integration, never someone the feedback is about).
    /// </summary>
    public static bool MayChangeOwner(Actor actor, FeedbackCase feedback) =>
        !actor.IsIntegration && MayRead(actor, feedback)
        && (MayFlag(actor) || (actor.Has(StaffRole.DepartmentHead) && actor.Member?.DepartmentId == feedback.LeadDepartment));

    /// <summary>
    /// Who may pause and resume the case's SLA clocks: whoever runs the case (its owner, the head of its lead
    /// department, the complaint desk, process owners, management) and integrations, the trusted front ends the API key
    /// is for; not auditors, who only read, nor a helping department, whose members follow the case but do not run it.
    /// </summary>
    public static bool MayRunClocks(Actor actor, FeedbackCase feedback) =>
        MayRead(actor, feedback)
        && (actor.IsIntegration || MayChangeOwner(actor, feedback) || (actor.Member is { Active: true } && feedback.Owner == actor.UserName));

    /// <summary>Process owners and management place and lift legal holds.</summary>
    public static bool MayHold(Actor actor) => actor.Administrator || actor.Has(StaffRole.ProcessOwner) || actor.Has(StaffRole.Management);

    /// <summary>The department whose figures the actor may see; null for all. Actors with no department see none.</summary>
    /// <exception cref="AccessDeniedException">The actor belongs to no department the directory knows.</exception>
    public static string? ReportDepartment(Actor actor, string? requested)
    {
        if (IsOrganisationWide(actor)) return requested;
        var own = actor.Member is { Active: true } m ? m.DepartmentId : throw new AccessDeniedException($"{actor.AuditName} is not an active staff member, so has no department's figures to see.");
        if (requested is not null && requested != own) throw new AccessDeniedException($"{actor.AuditName} may see only the figures of department {own}.");
        return own;
    }

    /// <exception cref="AccessDeniedException">The actor may not read the case.</exception>
    public static void EnsureRead(Actor actor, FeedbackCase feedback)
    {
        if (IsAbout(actor, feedback))
            throw new AccessDeniedException($"{actor.AuditName} may not read case {feedback.Number}: the feedback is about them.");
        if (!MayRead(actor, feedback))
            throw new AccessDeniedException($"{actor.AuditName} may not read case {feedback.Number}: it belongs to another department.");
    }

    private static bool OnTheCase(Actor actor, FeedbackCase feedback) =>
        actor.Member is { Active: true } m && (feedback.LeadDepartment == m.DepartmentId || feedback.HelperDepartments.Contains(m.DepartmentId));
}

/// <summary>The acting user may not do or see this; the message says why.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);
