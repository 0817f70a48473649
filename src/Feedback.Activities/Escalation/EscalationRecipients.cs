using Feedback.Activities.Cases;
using Feedback.Activities.Organization;

namespace Feedback.Activities.Escalation;

/// <summary>
/// Who hears of an escalation at a level: the department head (1), the complaint desk managers (2) or management (3).
/// Only people a mail can reach count: active, with an e-mail address, not the person the feedback is about; an
/// absent person counts through their delegate. A level nobody can be reached at passes the escalation upwards.
/// </summary>
internal static class EscalationRecipients
{
    /// <summary>The level reached and its people, with a note per level that was passed over.</summary>
    internal sealed record Reached(int Level, IReadOnlyList<StaffMember> People, IReadOnlyList<string> PassedOver);

    /// <summary>The people of <paramref name="from"/>, or of the first level above it that has any.</summary>
    /// <param name="department">The department whose head is level 1.</param>
    /// <exception cref="InvalidOperationException">Nobody can be reached at <paramref name="from"/> or above.</exception>
    public static Reached Find(OrganizationDocument directory, FeedbackCase feedback, string? department, int from, DateTimeOffset now)
    {
        var passedOver = new List<string>();
        for (var level = from; level <= EscalationLevels.Top; level++)
        {
            var people = Candidates(directory, department, level)
                .Select(member => Reachable(directory, member, feedback.ComplainedAbout, now))
                .OfType<StaffMember>()
                .DistinctBy(m => m.UserName, StringComparer.OrdinalIgnoreCase)
                .OrderBy(m => m.UserName, StringComparer.Ordinal)
                .ToList();
            if (people.Count > 0) return new Reached(level, people, passedOver);
            passedOver.Add($"nobody reachable at level {level} ({EscalationLevels.Describe(level)}{(level == EscalationLevels.DepartmentHead ? $" of {department}" : "")})");
        }
        throw new InvalidOperationException(
            $"Case {feedback.Number} cannot be escalated: {string.Join("; ", passedOver)}. Give management an active member with an e-mail address in the directory.");
    }

    /// <summary>Who can be told about a case in <paramref name="department"/>: its head, or their delegate while they are away; none when neither can be mailed.</summary>
    public static IReadOnlyList<StaffMember> HeadOf(OrganizationDocument directory, FeedbackCase feedback, string department, DateTimeOffset now) =>
        Candidates(directory, department, EscalationLevels.DepartmentHead)
            .Select(member => Reachable(directory, member, feedback.ComplainedAbout, now)).OfType<StaffMember>().ToList();

    private static IEnumerable<StaffMember> Candidates(OrganizationDocument directory, string? department, int level) => level switch
    {
        EscalationLevels.DepartmentHead => directory.Departments.FirstOrDefault(d => d.Id == department)?.Head is { } head
            ? directory.Staff.Where(s => s.UserName == head)
            : [],
        EscalationLevels.ComplaintDeskManager => directory.Staff.Where(s => s.Roles.Contains(StaffRole.ComplaintDeskManager)),
        _ => directory.Staff.Where(s => s.Roles.Contains(StaffRole.Management)),
    };

    /// <summary>The member, their delegate while they are absent, or null when neither can be mailed.</summary>
    private static StaffMember? Reachable(OrganizationDocument directory, StaffMember member, string? complainedAbout, DateTimeOffset now)
    {
        if (member.IsAbsentAt(now))
        {
            var stand = member.Delegate is { } name ? directory.Staff.FirstOrDefault(s => s.UserName == name) : null;
            // A delegate who is away too is no better than the absent member.
            return stand is null || stand.IsAbsentAt(now) ? null : Usable(stand, complainedAbout);
        }
        return Usable(member, complainedAbout);
    }

    private static StaffMember? Usable(StaffMember? member, string? complainedAbout) =>
        member is { Active: true, Email: { Length: > 0 } }
        && !string.Equals(member.UserName, complainedAbout, StringComparison.OrdinalIgnoreCase)
            ? member
            : null;
}
