using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// Whom the feedback is about, on a staff task page, for those who judge feedback (the complaint desk, process owners,
/// management): who is named now, and a form to name them with a reason, as the API does
/// (<see cref="ComplainedAboutNaming"/>). The form posts to <see cref="Route"/> and comes back to the task page.
/// </summary>
internal static class ComplainedAboutForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/complained-about";

    /// <summary>The section for the task page; empty for members who may not judge feedback, or once the case is finished.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (!CaseAccess.MayFlag(actor) || feedback.Status is CaseStatus.Replied or CaseStatus.Closed) return "";
        var state = feedback.ComplainedAbout is { } named ? PageTexts.Format("staff.about.named", page.Language, named) : page.T("staff.about.none");
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/complained-about?lang={Uri.EscapeDataString(page.Language)}";
        return $"""
            <section id="complained-about"><h2>{PageFrame.E(page.T("staff.about.title"))}</h2><p>{PageFrame.E(state)}</p>
            <form method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">
            <label for="about-user">{PageFrame.E(page.T("staff.about.user"))}</label>
            <input type="text" id="about-user" name="user" maxlength="100" required>
            <label for="about-reason">{PageFrame.E(page.T("staff.flag.reason"))}</label>
            <textarea id="about-reason" name="reason" maxlength="{ComplainedAboutNaming.MaxReasonLength}" required></textarea>
            <button type="submit">{PageFrame.E(page.T("staff.about.submit"))}</button>
            </form></section>
            """;
    }

    public static void MapComplainedAboutForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, ComplainedAboutNaming naming, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.about.forbidden", "complained-about", async (actor, form) =>
            {
                await naming.NameAsync(number, form["user"], form["reason"], actor.UserName!, "staff", ct);
                return null;
            }, ct));
    }
}
