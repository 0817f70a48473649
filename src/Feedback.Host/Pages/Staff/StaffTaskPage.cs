using System.Security.Cryptography;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Tasks;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Pages.Tasks;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// <c>/staff/tasks/{id}</c>: the same task page as behind a mailed link, for the signed-in member. The form carries
/// a random completion key, used as the completion's idempotency key, so a double submit completes the task once
/// and both answers say so; the workflow's bookmark lets exactly one completion through in any case.
/// </summary>
internal static class StaffTaskPage
{
    public static void MapStaffTaskPage(this IEndpointRouteBuilder app)
    {
        app.MapGet(StaffRoutes.Tasks + "/{id}", async (string id, HttpContext http, TaskService tasks, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await ReadableAsync(http, actor!, tasks, id, ct) is not { } task) return Refused(http);
            return await TaskLinkPage.RenderAsync(http, actor!, task, null, null, StatusCodes.Status200OK, ct, NewKey(), FlagSection(actor!, task));
        });

        app.MapPost(StaffRoutes.Tasks + "/{id}", async (string id, HttpContext http, TaskService tasks, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            if (await ReadableAsync(http, actor!, tasks, id, ct) is not { } task) return Refused(http);
            var form = await http.Request.ReadFormAsync(ct);
            var user = actor!.UserName!;
            var key = form["completion"].ToString() is { Length: > 0 and <= 64 } k && k.All(char.IsAsciiHexDigitLower) ? "staff:" + k : null;
            if (key is null) return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
            var values = TaskLinkPage.Values(task, form);
            try
            {
                var completion = await tasks.CompleteAsync(task.Id, user, form["action"].ToString(), values, key, ct);
                return TaskLinkPage.Done(http, completion.Task, Back(http));
            }
            catch (TaskValidationException e)
            {
                return await TaskLinkPage.RenderAsync(http, actor!, task, e.Errors, values, StatusCodes.Status400BadRequest, ct, key["staff:".Length..], FlagSection(actor!, task));
            }
            catch (TaskForbiddenException e)
            {
                return LinkPages.Problem(http, "problem.form", StatusCodes.Status403Forbidden, e.Message);
            }
            catch (Exception e) when (e is TaskConflictException or TaskCompletionFailedException)
            {
                return LinkPages.Problem(http, "problem.form", StatusCodes.Status409Conflict, e.Message);
            }
        });

        // The case's uploaded photos, for whoever may see the task.
        app.MapGet(StaffRoutes.Tasks + "/{id}/photos/{photo}", async (string id, string photo, HttpContext http, TaskService tasks, CaseService cases, Intake.PhotoStore photos, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await ReadableAsync(http, actor!, tasks, id, ct) is not { CaseNumber: { } number }) return Results.NotFound();
            return await photos.ServeAsync(await cases.FindAsync(number, ct), photo, ct);
        });
    }

    /// <summary>Whether the member may see the task: <see cref="CaseAccess.MayReadTask"/>, they stand in for its absent owner, or they may read its case.</summary>
    public static async Task<bool> MayReadAsync(HttpContext http, Actor actor, FeedbackTask task, CancellationToken ct)
    {
        var feedback = task.CaseNumber is null ? null : await http.RequestServices.GetRequiredService<CaseService>().FindAsync(task.CaseNumber, ct);
        if (feedback is not null && CaseAccess.IsAbout(actor, feedback)) return false;
        if (CaseAccess.MayReadTask(actor, task)) return true;
        // A delegate sees the tasks of the colleague they stand in for.
        if ((task.ClaimedBy ?? task.Assignee) is { } owner && actor.Member is { } member
            && (await http.RequestServices.GetRequiredService<StaffInbox>().AbsentDelegatorsAsync(member, ct)).Contains(owner)) return true;
        return feedback is not null && CaseAccess.MayRead(actor, feedback);
    }

    private static async Task<FeedbackTask?> ReadableAsync(HttpContext http, Actor actor, TaskService tasks, string id, CancellationToken ct)
    {
        FeedbackTask task;
        try { task = await tasks.GetAsync(id, ct); }
        catch (TaskNotFoundException) { return null; }
        return await MayReadAsync(http, actor, task, ct) ? task : null;
    }

    /// <summary>Unknown and other departments' tasks get the same answer, so ids of other departments' work are not confirmed.</summary>
    internal static IResult Refused(HttpContext http)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var body = $"<section class=\"notice\"><p>{PageFrame.E(page.T("staff.forbidden"))}</p>{Back(http)}</section>";
        return page.Render(page.T("staff.forbidden.title"), body, StatusCodes.Status403Forbidden);
    }

    private static string Back(HttpContext http)
    {
        var language = PageLanguage.Choose(http.Request);
        return $"<p><a id=\"back\" href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Root)}?lang={PageFrame.E(language)}\">{PageFrame.E(PageTexts.Get("staff.inbox.back", language))}</a></p>";
    }

    private static Func<PageFrame, FeedbackCase, string> FlagSection(Actor actor, FeedbackTask task) =>
        (page, feedback) => CaseForms(page, actor, feedback, task.Id);

    /// <summary>The note form and the flags a member may set, coming back to task <paramref name="taskId"/> (empty: to the case page).</summary>
    internal static string CaseForms(PageFrame page, Actor actor, FeedbackCase feedback, string taskId) =>
        CaseNoteForm.Section(page, actor, feedback, taskId) + MaliciousFlagForm.Section(page, actor, feedback, taskId)
        + DuplicateMarkForm.Section(page, actor, feedback, taskId) + PraiseMarkForm.Section(page, actor, feedback, taskId)
        + CaseOwnerForm.Section(page, actor, feedback, taskId) + ComplainedAboutForm.Section(page, actor, feedback, taskId);

    private static string NewKey() => RandomNumberGenerator.GetHexString(32, lowercase: true);
}
