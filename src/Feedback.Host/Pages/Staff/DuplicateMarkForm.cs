using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// The case's duplicate mark on a staff task page, for those who flag feedback (the complaint desk, process owners,
/// management): which case it duplicates, if any, and a form to mark or clear it with a reason, as the API does
/// (<see cref="DuplicateMarks"/>). The form posts to <see cref="Route"/> and comes back to the task page.
/// </summary>
internal static class DuplicateMarkForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/duplicate";

    /// <summary>The section for the task page; empty for members who may not flag feedback.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (!CaseAccess.MayFlag(actor)) return "";
        var marked = feedback.DuplicateOf is not null;
        var state = marked ? PageTexts.Format("staff.duplicate.marked", page.Language, feedback.DuplicateOf) : page.T("staff.duplicate.none");
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/duplicate?lang={Uri.EscapeDataString(page.Language)}";
        var original = marked ? $"""<input type="hidden" name="of" value="">"""
            : $"""<label for="duplicate-of">{PageFrame.E(page.T("staff.duplicate.of"))}</label><input id="duplicate-of" name="of" maxlength="64" required>""";
        return $"""
            <section id="duplicate"><h2>{PageFrame.E(page.T("staff.duplicate.title"))}</h2><p>{PageFrame.E(state)}</p>
            <form method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">{original}
            <label for="duplicate-reason">{PageFrame.E(page.T("staff.flag.reason"))}</label>
            <textarea id="duplicate-reason" name="reason" maxlength="{MaliciousFlags.MaxReasonLength}" required></textarea>
            <button type="submit">{PageFrame.E(page.T(marked ? "staff.duplicate.clear" : "staff.duplicate.set"))}</button>
            </form></section>
            """;
    }

    public static void MapDuplicateMarkForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, DuplicateMarks marks, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.duplicate.forbidden", "duplicate", async (actor, form) =>
            {
                var of = form["of"].ToString().Trim();
                // The original must be readable too: its existence and its own mark are not for everyone to probe.
                if (of.Length > 0 && await cases.FindAsync(of, ct) is { } original && !CaseAccess.MayRead(actor, original))
                    return CaseFlagPost.Forbidden(http, "staff.duplicate.forbidden");
                await marks.SetAsync(number, of.Length == 0 ? null : of, form["reason"], actor.UserName!, "staff", ct);
                return null;
            }, ct));
    }
}
