using System.Text;
using Feedback.Activities.Access;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Tasks;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// <c>/staff</c>: the signed-in member's tasks and their department's, with claim and reassign (with a reason) as
/// posted forms, and a link to each task's page to complete it. Actions go through <see cref="TaskService"/>, which
/// checks who may do what and writes the case history, exactly as for the API.
/// </summary>
internal static class InboxPage
{
    public static void MapStaffInbox(this IEndpointRouteBuilder app)
    {
        app.MapGet(StaffRoutes.Root, async (HttpContext http, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            return await RenderAsync(http, actor!, await NoticeAsync(http, actor!, ct), null, StatusCodes.Status200OK, ct);
        });

        app.MapPost(StaffRoutes.Tasks + "/{id}/claim", async (string id, HttpContext http, TaskService tasks, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            return await ActAsync(http, actor!, "claimed", () => tasks.ClaimAsync(id, actor!.UserName!, ct), ct);
        });

        app.MapPost(StaffRoutes.Tasks + "/{id}/reassign", async (string id, HttpContext http, TaskService tasks, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            var form = await http.Request.ReadFormAsync(ct);
            return await ActAsync(http, actor!, "reassigned", () => tasks.ReassignAsync(id, actor!.UserName!, form["to"].ToString(), form["reason"].ToString(), ct), ct);
        });
    }

    /// <summary>Runs an action; success goes back to the inbox with a notice (so a refresh repeats nothing), a refusal shows it there.</summary>
    private static async Task<IResult> ActAsync(HttpContext http, Actor actor, string done, Func<Task<FeedbackTask>> action, CancellationToken ct)
    {
        try
        {
            var task = await action();
            var lang = PageLanguage.Choose(http.Request);
            return Results.Redirect($"{http.Request.PathBase}{StaffRoutes.Root}?lang={Uri.EscapeDataString(lang)}&done={done}&task={Uri.EscapeDataString(task.Id)}");
        }
        catch (TaskValidationException e) { return await RenderAsync(http, actor, null, e.Errors, StatusCodes.Status400BadRequest, ct); }
        catch (TaskNotFoundException e) { return await RenderAsync(http, actor, null, [e.Message], StatusCodes.Status404NotFound, ct); }
        catch (TaskForbiddenException e) { return await RenderAsync(http, actor, null, [e.Message], StatusCodes.Status403Forbidden, ct); }
        catch (TaskConflictException e) { return await RenderAsync(http, actor, null, [e.Message], StatusCodes.Status409Conflict, ct); }
    }

    /// <summary>What the last action did (<c>?done=claimed|reassigned&amp;task=id</c>), written from the task itself, never from the query text.</summary>
    private static async Task<string?> NoticeAsync(HttpContext http, Actor actor, CancellationToken ct)
    {
        var done = http.Request.Query["done"].ToString();
        if (done is not ("claimed" or "reassigned") || http.Request.Query["task"].ToString() is not { Length: > 0 and <= 100 } id) return null;
        FeedbackTask task;
        try { task = await http.RequestServices.GetRequiredService<TaskService>().GetAsync(id, ct); }
        catch (TaskNotFoundException) { return null; }
        if (!await StaffTaskPage.MayReadAsync(http, actor, task, ct)) return null;
        var language = PageLanguage.Choose(http.Request);
        return done == "claimed" ? PageTexts.Format("staff.inbox.claimed", language, task.Title) : PageTexts.Format("staff.inbox.reassigned", language, task.Title, task.Assignee);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Actor actor, string? notice, IReadOnlyList<string>? errors, int status, CancellationToken ct)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var inbox = http.RequestServices.GetRequiredService<StaffInbox>();
        var member = actor.Member!;
        var mine = await inbox.MineAsync(member, ct);
        var department = await inbox.DepartmentAsync(member, ct);
        var helping = await inbox.HelpingAsync(member, ct);
        var standingInFor = await inbox.AbsentDelegatorsAsync(member, ct);
        List<StaffMember> colleagues;
        await using (var db = await http.RequestServices.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync(ct))
            colleagues = await db.Staff.AsNoTracking().Where(s => s.Active && s.UserName != member.UserName)
                .OrderBy(s => s.DepartmentId == member.DepartmentId ? 0 : 1).ThenBy(s => s.DepartmentId).ThenBy(s => s.DisplayName).ToListAsync(ct);
        var now = http.RequestServices.GetRequiredService<IClock>().UtcNow;

        var html = new StringBuilder();
        html.Append(Header(page, http, member));
        if (notice is not null) html.Append($"<section class=\"notice\" role=\"status\"><p id=\"notice\">{PageFrame.E(notice)}</p></section>");
        html.Append(page.Errors(errors));
        if (standingInFor.Count > 0)
            html.Append($"<section class=\"notice\"><p id=\"standing-in\">{PageFrame.E(PageTexts.Format("staff.inbox.standingin", page.Language, string.Join(", ", standingInFor)))}</p></section>");
        html.Append(List(page, http, "mine", page.T("staff.inbox.mine"), mine, actor, standingInFor, colleagues, now));
        html.Append(List(page, http, "department", page.T("staff.inbox.department"), department, actor, standingInFor, colleagues, now));
        if (helping.Count > 0) html.Append(List(page, http, "helping", page.T("staff.inbox.helping"), helping, actor, standingInFor, colleagues, now));
        return page.Render(page.T("staff.inbox.title"), html.ToString(), status);
    }

    private static string Header(PageFrame page, HttpContext http, StaffMember member)
    {
        var signOut = $"<form method=\"post\" action=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.SignOut)}?lang={PageFrame.E(page.Language)}\" style=\"display:inline;border:0;padding:0;margin:0;background:none\">"
            + page.AntiforgeryField() + $"<button type=\"submit\" class=\"secondary\" id=\"sign-out\">{PageFrame.E(page.T("staff.signout"))}</button></form>";
        return $"<p><strong id=\"signed-in-as\">{PageFrame.E(PageTexts.Format("staff.signedinas", page.Language, member.DisplayName, member.UserName))}</strong> · {PageFrame.E(member.DepartmentId)}</p>"
            + $"<p><a href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Entry)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.inbox.entry"))}</a> · "
            + $"<a href=\"{PageFrame.E(http.Request.PathBase + StaffCasePage.Route)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.cases.link"))}</a> · "
            + $"<a href=\"{PageFrame.E(http.Request.PathBase + AbsencePage.Route)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.absence.link"))}</a></p>{signOut}";
    }

    private static string List(PageFrame page, HttpContext http, string id, string title, IReadOnlyList<InboxItem> items, Actor actor, IReadOnlyList<string> standingInFor, IReadOnlyList<StaffMember> colleagues, DateTimeOffset now)
    {
        var html = new StringBuilder($"<h2>{PageFrame.E(title)} ({items.Count})</h2><div id=\"{id}\">");
        if (items.Count == 0) html.Append($"<p class=\"muted\">{PageFrame.E(page.T("staff.inbox.empty"))}</p>");
        foreach (var (task, caseTitle, foodSafety) in items)
        {
            var taskPath = $"{http.Request.PathBase}{StaffRoutes.Tasks}/{Uri.EscapeDataString(task.Id)}";
            var overdue = task.DueAt is { } due && due < now;
            var badge = foodSafety ? $" <strong class=\"food-safety\" style=\"color:#c0392b\">{PageFrame.E(page.T("staff.inbox.foodsafety"))}</strong>" : "";
            html.Append($"<section class=\"task\" data-task=\"{PageFrame.E(task.Id)}\"><h3 style=\"margin:0 0 .4em\">{PageFrame.E(task.Title)}{badge}</h3><dl>");
            var caseLink = task.CaseNumber is { } number
                ? $"<a href=\"{PageFrame.E($"{http.Request.PathBase}{StaffCasePage.Route}/{Uri.EscapeDataString(number)}")}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(number)}</a>" : "";
            html.Append($"<dt>{PageFrame.E(page.T("task.case"))}</dt><dd>{caseLink}{(caseTitle is null ? "" : " · " + PageFrame.E(caseTitle))}</dd>");
            var dueText = task.DueAt is { } dueAt ? page.Time(dueAt) : page.T("staff.inbox.nodue");
            html.Append($"<dt>{PageFrame.E(page.T("task.due"))}</dt><dd>{(overdue ? $"<strong class=\"overdue\" style=\"color:#c0392b\">{PageFrame.E(dueText)} ({PageFrame.E(page.T("staff.inbox.overdue"))})</strong>" : PageFrame.E(dueText))}</dd>");
            var status = task.Status == FeedbackTaskStatus.Claimed ? PageTexts.Format("taskstatus.Claimed", page.Language, task.ClaimedBy) : page.T("taskstatus.Open");
            html.Append($"<dt>{PageFrame.E(page.T("task.status"))}</dt><dd class=\"status\">{PageFrame.E(status)}</dd>");
            html.Append($"<dt>{PageFrame.E(page.T("staff.inbox.for"))}</dt><dd>{PageFrame.E(TaskAccess.Audience(task))}</dd></dl>");

            // Standing in for an absent colleague allows what TaskService allows the delegate: claim, complete, reassign.
            var standIn = (task.ClaimedBy ?? task.Assignee) is { } owner && standingInFor.Contains(owner);
            var mayWork = standIn || TaskAccess.MayWork(task, actor.UserName!, actor.Member);
            html.Append($"<p><a class=\"open\" href=\"{PageFrame.E(taskPath)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T(mayWork ? "staff.inbox.open" : "staff.inbox.view"))}</a></p>");
            if (mayWork && (task.Status == FeedbackTaskStatus.Open || (standIn && task.ClaimedBy is not null)))
                html.Append($"<form method=\"post\" action=\"{PageFrame.E(taskPath)}/claim?lang={PageFrame.E(page.Language)}\" style=\"border:0;padding:0;margin:0\">{page.AntiforgeryField()}"
                    + $"<button type=\"submit\" class=\"claim\">{PageFrame.E(page.T("staff.inbox.claim"))}</button></form>");
            if (standIn || TaskAccess.MayReassign(task, actor.UserName!, actor.Member))
                html.Append(ReassignForm(page, taskPath, task, colleagues));
            html.Append("</section>");
        }
        return html.Append("</div>").ToString();
    }

    private static string ReassignForm(PageFrame page, string taskPath, FeedbackTask task, IReadOnlyList<StaffMember> colleagues)
    {
        var form = new StringBuilder($"<details><summary>{PageFrame.E(page.T("staff.inbox.reassign"))}</summary>");
        form.Append($"<form method=\"post\" action=\"{PageFrame.E(taskPath)}/reassign?lang={PageFrame.E(page.Language)}\" class=\"reassign\">{page.AntiforgeryField()}");
        var selectId = "to-" + task.Id;
        form.Append($"<label for=\"{PageFrame.E(selectId)}\">{PageFrame.E(page.T("staff.inbox.to"))}</label><select id=\"{PageFrame.E(selectId)}\" name=\"to\" required><option value=\"\"></option>");
        foreach (var colleague in colleagues.Where(c => c.UserName != (task.ClaimedBy ?? task.Assignee)))
            form.Append($"<option value=\"{PageFrame.E(colleague.UserName)}\">{PageFrame.E(colleague.DisplayName)} ({PageFrame.E(colleague.UserName)}, {PageFrame.E(colleague.DepartmentId)})</option>");
        form.Append("</select>");
        var reasonId = "reason-" + task.Id;
        form.Append($"<label for=\"{PageFrame.E(reasonId)}\">{PageFrame.E(page.T("staff.inbox.reason"))}</label><textarea id=\"{PageFrame.E(reasonId)}\" name=\"reason\" required maxlength=\"{TaskService.MaxReasonLength}\" style=\"min-height:3em\"></textarea>");
        form.Append($"<button type=\"submit\">{PageFrame.E(page.T("staff.inbox.reassign"))}</button></form></details>");
        return form.ToString();
    }
}
