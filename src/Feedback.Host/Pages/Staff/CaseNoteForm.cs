using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// The form under a staff task page's notes that adds an internal note to the case, for the staff on it
/// (<see cref="CaseAccess.MayNote"/>), as the API does (<see cref="CaseNotes"/>). It posts to <see cref="Route"/> and
/// comes back to the task page.
/// </summary>
internal static class CaseNoteForm
{
    public const string Route = StaffRoutes.Root + "/cases/{number}/notes";

    /// <summary>The form for the task page; empty for members who may not write notes on the case.</summary>
    public static string Section(PageFrame page, Actor actor, FeedbackCase feedback, string taskId)
    {
        if (!CaseAccess.MayNote(actor, feedback)) return "";
        var action = $"{StaffRoutes.Root}/cases/{Uri.EscapeDataString(feedback.Number)}/notes?lang={Uri.EscapeDataString(page.Language)}";
        return $"""
            <form id="add-note" method="post" action="{PageFrame.E(action)}">{page.AntiforgeryField()}
            <input type="hidden" name="task" value="{PageFrame.E(taskId)}">
            <label for="note-text">{PageFrame.E(page.T("staff.note.label"))}</label>
            <textarea id="note-text" name="text" maxlength="{CaseNotes.MaxTextLength}" required></textarea>
            <button type="submit">{PageFrame.E(page.T("staff.note.add"))}</button>
            </form>
            """;
    }

    public static void MapCaseNoteForm(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, (string number, HttpContext http, CaseService cases, CaseNotes notes, CancellationToken ct) =>
            CaseFlagPost.HandleAsync(http, number, cases, "staff.note.forbidden", "notes", async (actor, form) =>
            {
                await notes.AddAsync(number, form["text"], actor.UserName!, "staff", ct);
                return null;
            }, ct, CaseAccess.MayNote));
    }
}
