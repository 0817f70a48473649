using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;

namespace Feedback.Activities.Cases;

/// <summary>How the feedback activities read the inputs they share.</summary>
internal static class CaseInputs
{
    /// <summary>The trimmed text, or null when it is empty or white space.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The case an activity works on: its CaseNumber input, else the instance's correlation id.</summary>
    /// <exception cref="FormatException">Neither is set.</exception>
    public static string Number(ActivityExecutionContext context, Input<string?> caseNumber) =>
        Blank(context.Get(caseNumber)) ?? Blank(context.CorrelationId)
        ?? throw new FormatException("No case number: set CaseNumber or correlate the instance with the case.");
}
