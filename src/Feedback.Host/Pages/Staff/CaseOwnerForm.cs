using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// Who is responsible for the case, on the staff task and case pages, and for those who may change it (the complaint
/// desk, process owners, management, the lead department's head) a form to give the case to another member with a
/// reason, as the API does (<see cref="CaseOwnerChange"/>). The form posts to <see cref="Route"/> and comes back.
/// </summary>
internal static class CaseOwnerForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/owner";

    /// <summary>The section; empty for members who may not change the owner, before the assignment, or once the case is finished.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (feedback.Owner is not { } owner || feedback.Status is CaseStatus.Replied or CaseStatus.Closed || !CaseAccess.MayChangeOwner(actor, feedback)) return "";
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/owner?lang={Uri.EscapeDataString(page.Language)}";
        return $"""
            <section id="owner"><h2>{PageFrame.E(page.T("staff.owner.title"))}</h2><p>{PageFrame.E(PageTexts.Format("staff.owner.now", page.Language, owner))}</p>
            <form method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">
            <label for="owner-to">{PageFrame.E(page.T("staff.owner.to"))}</label>
            <input type="text" id="owner-to" name="to" maxlength="100" required>
            <label for="owner-reason">{PageFrame.E(page.T("staff.flag.reason"))}</label>
            <textarea id="owner-reason" name="reason" maxlength="{CaseOwnerChange.MaxReasonLength}" required></textarea>
            <button type="submit">{PageFrame.E(page.T("staff.owner.submit"))}</button>
            </form></section>
            """;
    }

    public static void MapCaseOwnerForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, CaseOwnerChange owners, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.owner.forbidden", "owner", async (actor, form) =>
            {
                await owners.ChangeAsync(number, form["to"], form["reason"], actor.UserName!, "staff", ct);
                return null;
            }, ct, CaseAccess.MayChangeOwner));
    }
}
