namespace Feedback.Activities.Escalation;

/// <summary>The company's escalation chain, stored on a case as <see cref="Cases.FeedbackCase.EscalationLevel"/>.</summary>
public static class EscalationLevels
{
    public const int None = 0;
    /// <summary>The head of the case's lead department (or of the department an escalation names).</summary>
    public const int DepartmentHead = 1;
    /// <summary>Every complaint desk manager.</summary>
    public const int ComplaintDeskManager = 2;
    /// <summary>Management; nothing is above it.</summary>
    public const int Management = 3;
    public const int Top = Management;

    /// <summary>The level in words, for history lines and mail.</summary>
    public static string Describe(int level) => level switch
    {
        None => "not escalated",
        DepartmentHead => "department head",
        ComplaintDeskManager => "complaint desk manager",
        Management => "management",
        _ => $"level {level}",
    };
}
