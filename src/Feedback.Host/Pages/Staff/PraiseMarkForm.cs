using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// The case's praise mark on a staff task page, for those who judge feedback: a compliment sent through a complaint
/// channel is recorded as praise with a reason, as the API does (<see cref="PraiseMarks"/>), and the shipped flows then
/// withdraw its rectification. The form posts to <see cref="Route"/> and comes back to the task page.
/// </summary>
internal static class PraiseMarkForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/praise";

    /// <summary>The section for the task page; empty for members who may not judge feedback.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (!CaseAccess.MayFlag(actor)) return "";
        var state = page.T(feedback.Praise ? "staff.praise.marked" : "staff.praise.none");
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/praise?lang={Uri.EscapeDataString(page.Language)}";
        return $"""
            <section id="praise"><h2>{PageFrame.E(page.T("staff.praise.title"))}</h2><p>{PageFrame.E(state)}</p>
            <form method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">
            <label for="praise-reason">{PageFrame.E(page.T("staff.flag.reason"))}</label>
            <textarea id="praise-reason" name="reason" maxlength="{MaliciousFlags.MaxReasonLength}" required></textarea>
            <button type="submit" name="praise" value="{(feedback.Praise ? "false" : "true")}">{PageFrame.E(page.T(feedback.Praise ? "staff.praise.clear" : "staff.praise.set"))}</button>
            </form></section>
            """;
    }

    public static void MapPraiseMarkForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, PraiseMarks marks, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.praise.forbidden", "praise", async (actor, form) =>
            {
                bool? praise = form["praise"].ToString() switch { "true" => true, "false" => false, _ => null };
                if (praise is null) return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
                await marks.SetAsync(number, praise.Value, form["reason"], actor.UserName!, "staff", ct);
                return null;
            }, ct));
    }
}
