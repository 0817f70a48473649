using System.Text.Json.Nodes;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Links;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Assignment;

/// <summary>
/// The mail that tells a helping department's head (or their delegate while they are away) that the department helps
/// with a case: who leads it, who is responsible, the case page, and the feedback. Rendered from the
/// <see cref="TemplateName"/> template in the staff language, and sent through the step's outbox, so once per assignment.
/// </summary>
internal static class HelperNotice
{
    /// <summary>The <c>message</c> of these mails in the outbox.</summary>
    public const string MailKind = "HelperNotice";

    public const string TemplateName = "helper-notice";

    public static JsonObject Mail(ActivityExecutionContext context, FeedbackCase feedback, FeedbackCategory category, string lead, string owner, string helper, StaffMember head)
    {
        var model = new JsonObject
        {
            ["Case"] = new JsonObject
            {
                ["Number"] = feedback.Number,
                ["ReceivedAt"] = context.Services.GetRequiredService<Notification.MessageTemplates>().Time(feedback.ReceivedAt),
                ["Channel"] = feedback.Channel.ToString(),
                ["Customer"] = feedback.Anonymous ? "-" : PersonalData.MaskName(feedback.CustomerName) ?? "-",
                ["Category"] = category.ToString(), ["Severity"] = feedback.Severity?.ToString() ?? "-", ["FoodSafety"] = feedback.FoodSafety,
                ["Content"] = feedback.Content,
            },
            ["Lead"] = lead, ["Owner"] = owner, ["Helper"] = helper,
            // The case's staff page, where the helpers read it and add notes; none without the host's pages.
            ["CasePage"] = context.Services.GetService<IActionLinkIssuer>()?.CasePage(feedback.Number),
        };
        return context.Services.GetRequiredService<MessageTemplates>().StaffMail(TemplateName, head, model, feedback.Number, MailKind, context.Now);
    }
}
