using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;

namespace Feedback.Activities.Assignment;

/// <summary>
/// The mail that tells a helping department's head (or their delegate while they are away) that the department helps
/// with a case: who leads it, who is responsible, and the feedback. Sent through the step's outbox, so once per assignment.
/// </summary>
internal static class HelperNotice
{
    /// <summary>The <c>message</c> of these mails in the outbox.</summary>
    public const string MailKind = "HelperNotice";

    /// <param name="casePage">The case's staff page, where the helpers read it and add notes; null without the host's pages.</param>
    public static JsonObject Mail(FeedbackCase feedback, FeedbackCategory category, string lead, string owner, string helper, StaffMember head, string? casePage)
    {
        var text = new StringBuilder()
            .AppendLine($"Dear {head.DisplayName},")
            .AppendLine()
            .AppendLine($"Your department ({helper}) helps with case {feedback.Number}. {lead} leads it and {owner} is responsible: they plan and carry out the rectification.")
            .AppendLine($"Please give {owner} what the plan and the rectification need from {helper}, within the case's deadlines.");
        if (casePage is not null) text.AppendLine($"Read the case and add notes for {owner} on its page: {casePage}");
        text.AppendLine()
            .AppendLine($"Received: {feedback.ReceivedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} via {feedback.Channel}")
            .AppendLine($"Customer: {(feedback.Anonymous ? "anonymous" : PersonalData.MaskName(feedback.CustomerName) ?? "unnamed")}")
            .AppendLine($"Category: {category}, severity {feedback.Severity?.ToString() ?? "-"}{(feedback.FoodSafety ? ", FOOD SAFETY" : "")}")
            .AppendLine()
            .AppendLine("The feedback:")
            .AppendLine(feedback.Content);
        return new JsonObject
        {
            ["to"] = head.Email,
            ["toName"] = head.DisplayName,
            ["subject"] = $"Your department helps with case {feedback.Number} ({lead} leads)",
            ["text"] = text.ToString(),
            ["caseNumber"] = feedback.Number,
            ["message"] = MailKind,
        };
    }
}
