using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// The case's malicious-or-false flag on a staff task page, for those who judge feedback (the complaint desk, process
/// owners, management): what it says now, and a form to set or clear it with a reason, as the API does
/// (<see cref="MaliciousFlags"/>). The form posts to <see cref="Route"/> and comes back to the task page.
/// </summary>
internal static class MaliciousFlagForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/malicious";

    /// <summary>The section for the task page; empty for members who may not judge feedback.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (!CaseAccess.MayFlag(actor)) return "";
        var flagged = feedback.MaliciousReason is not null;
        var state = flagged ? PageTexts.Format("staff.flag.flagged", page.Language, feedback.MaliciousReason) : page.T("staff.flag.none");
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/malicious?lang={Uri.EscapeDataString(page.Language)}";
        return $"""
            <section id="malicious"><h2>{PageFrame.E(page.T("staff.flag.title"))}</h2><p>{PageFrame.E(state)}</p>
            <form method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">
            <label for="flag-reason">{PageFrame.E(page.T("staff.flag.reason"))}</label>
            <textarea id="flag-reason" name="reason" maxlength="{MaliciousFlags.MaxReasonLength}" required></textarea>
            <button type="submit" name="malicious" value="{(flagged ? "false" : "true")}">{PageFrame.E(page.T(flagged ? "staff.flag.clear" : "staff.flag.set"))}</button>
            </form></section>
            """;
    }

    public static void MapMaliciousFlagForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, MaliciousFlags flags, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.flag.forbidden", "malicious", async (actor, form) =>
            {
                bool? malicious = form["malicious"].ToString() switch { "true" => true, "false" => false, _ => null };
                if (malicious is null) return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
                await flags.SetAsync(number, malicious.Value, form["reason"], actor.UserName!, "staff", ct);
                return null;
            }, ct));
    }
}
