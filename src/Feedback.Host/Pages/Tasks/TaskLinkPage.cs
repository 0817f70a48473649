using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Activities.Tasks;
using Feedback.Host.Links;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Pages.Tasks;

/// <summary>
/// A staff task opened from its mail: the case summary and history, the task's form built from its fields, and its
/// actions as buttons. The link names the staff member; the link id is the completion's idempotency key, so a
/// double submit completes the task once and both answers say so.
/// </summary>
internal static class TaskLinkPage
{
    public static async Task<IResult> ShowAsync(HttpContext http, LinkToken link, CancellationToken ct)
    {
        var tasks = http.RequestServices.GetRequiredService<TaskService>();
        var task = await FindAsync(tasks, link.Subject, ct);
        if (task is null) return LinkPages.Rejected(http, LinkProblem.Forged);
        if (await http.RequestServices.GetRequiredService<UsedLinks>().IsUsedAsync(link.Id, ct)) return LinkPages.Rejected(http, LinkProblem.Used);
        var reader = await ReaderAsync(http, link.UserName ?? "", ct);
        if (!await MayOpenAsync(http, reader, task, ct)) return Refused(http);
        if (!await IsOpenToAsync(http, reader, task, ct)) return Outcome(http, task);
        return await RenderAsync(http, reader, task, null, null, StatusCodes.Status200OK, ct);
    }

    /// <summary>
    /// Whether the task is still open and the link's reader may still do it. A link is mailed to let its reader do the
    /// task, and lives for weeks without a sign-in: once the task is done, withdrawn or handed to someone else, it
    /// shows only that, and the case is read on the signed-in staff pages.
    /// </summary>
    private static async Task<bool> IsOpenToAsync(HttpContext http, Actor reader, FeedbackTask task, CancellationToken ct) =>
        task.Status is FeedbackTaskStatus.Open or FeedbackTaskStatus.Claimed && await MayWorkAsync(http, reader, task, ct);

    /// <summary>What became of a task no longer open to the link's reader, without anything of its case.</summary>
    private static IResult Outcome(HttpContext http, FeedbackTask task)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var note = task.Status switch
        {
            FeedbackTaskStatus.Completed => PageTexts.Format("task.closed.completed", page.Language, task.CompletedBy, task.CompletedAction),
            FeedbackTaskStatus.Cancelled => page.T("task.closed.cancelled"),
            _ => page.T("task.closed.handedon"),
        };
        var staffPage = $"{http.Request.PathBase}{Feedback.Host.Staff.StaffRoutes.Tasks}/{Uri.EscapeDataString(task.Id)}?lang={page.Language}";
        var body = $"<section class=\"notice\"><p id=\"task-outcome\">{PageFrame.E(note)}</p>"
            + $"<p><a id=\"staff-task\" href=\"{PageFrame.E(staffPage)}\">{PageFrame.E(page.T("task.closed.signedin"))}</a></p></section>";
        return page.Render(task.Title, body);
    }

    /// <summary>
    /// The task of a link that may still be viewed (it exists, the link is unused, its reader may open it and still do
    /// it), for the case's photos behind it; null otherwise.
    /// </summary>
    public static async Task<FeedbackTask?> ViewableAsync(HttpContext http, LinkToken link, CancellationToken ct)
    {
        if (await FindAsync(http.RequestServices.GetRequiredService<TaskService>(), link.Subject, ct) is not { } task) return null;
        if (await http.RequestServices.GetRequiredService<UsedLinks>().IsUsedAsync(link.Id, ct)) return null;
        var reader = await ReaderAsync(http, link.UserName ?? "", ct);
        return await MayOpenAsync(http, reader, task, ct) && await IsOpenToAsync(http, reader, task, ct) ? task : null;
    }

    public static async Task<IResult> SubmitAsync(HttpContext http, LinkToken link, IFormCollection form, CancellationToken ct)
    {
        var tasks = http.RequestServices.GetRequiredService<TaskService>();
        var used = http.RequestServices.GetRequiredService<UsedLinks>();
        var task = await FindAsync(tasks, link.Subject, ct);
        if (task is null) return LinkPages.Rejected(http, LinkProblem.Forged);
        var user = link.UserName ?? throw new InvalidOperationException("A staff-task link without a user name was minted.");
        var reader = await ReaderAsync(http, user, ct);
        if (!await MayOpenAsync(http, reader, task, ct)) return Refused(http);
        // The same link submitted again (a double click, a refresh) is answered from the first completion.
        if (task.Status == FeedbackTaskStatus.Completed && task.CompletionKey == link.Id) return Done(http, task);
        if (await used.IsUsedAsync(link.Id, ct)) return LinkPages.Rejected(http, LinkProblem.Used);

        var action = form["action"].ToString();
        var values = Values(task, form);
        try
        {
            var completion = await tasks.CompleteAsync(task.Id, user, action, values, link.Id, ct);
            await used.MarkUsedAsync(link, user, ct);
            return Done(http, completion.Task);
        }
        catch (TaskValidationException e)
        {
            return await RenderAsync(http, reader, task, e.Errors, values, StatusCodes.Status400BadRequest, ct);
        }
        catch (TaskForbiddenException e)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status403Forbidden, e.Message);
        }
        catch (Exception e) when (e is TaskConflictException or TaskCompletionFailedException)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status409Conflict, e.Message);
        }
    }

    /// <summary>The task's fields as posted; empty fields are left out.</summary>
    internal static JsonObject Values(FeedbackTask task, IFormCollection form)
    {
        var values = new JsonObject();
        foreach (var field in task.Fields)
            if (form[field.Name].ToString() is { Length: > 0 } value) values[field.Name] = value;
        return values;
    }

    /// <summary>The answer after a completion (the first one, or its repeat).</summary>
    internal static IResult Done(HttpContext http, FeedbackTask task, string? extra = null)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var body = $"<section class=\"notice\"><p>{PageFrame.E(PageTexts.Format("task.done.body", page.Language, task.CompletedAction))}</p>"
            + $"<p class=\"muted\">{PageFrame.E(task.Title)} · {PageFrame.E(task.CaseNumber)}</p>{extra}</section>";
        return page.Render(page.T("task.done.title"), body);
    }

    private static async Task<FeedbackTask?> FindAsync(TaskService tasks, string id, CancellationToken ct)
    {
        try { return await tasks.GetAsync(id, ct); }
        catch (TaskNotFoundException) { return null; }
    }

    /// <summary>
    /// The task page for <paramref name="reader"/>: form (while the task is open), earlier work, case summary and
    /// history. The form posts back to this page; <paramref name="completionKey"/>, when given, rides in a hidden field
    /// as the completion's idempotency key (pages reached without a link). The customer's name and contacts are masked
    /// until the reader, if allowed, asks with <c>?reveal=contacts</c>; that request is a line in the audit trail.
    /// </summary>
    /// <param name="caseSection">More about the case for this reader (the staff pages' note form and flags), after its summary and notes.</param>
    internal static async Task<IResult> RenderAsync(HttpContext http, Actor reader, FeedbackTask task, IReadOnlyList<string>? errors, JsonObject? entered, int status, CancellationToken ct,
        string? completionKey = null, Func<PageFrame, FeedbackCase, string>? caseSection = null)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var cases = http.RequestServices.GetRequiredService<CaseService>();
        var tasks = http.RequestServices.GetRequiredService<TaskService>();
        var feedback = task.CaseNumber is null ? null : await cases.FindAsync(task.CaseNumber, ct);
        var body = new StringBuilder();
        body.Append($"<p class=\"muted\">{PageFrame.E(PageTexts.Format("task.actingas", page.Language, reader.AuditName))}</p>");

        if (task.Status is FeedbackTaskStatus.Completed or FeedbackTaskStatus.Cancelled)
        {
            var note = task.Status == FeedbackTaskStatus.Completed
                ? PageTexts.Format("task.closed.completed", page.Language, task.CompletedBy, task.CompletedAction)
                : page.T("task.closed.cancelled");
            body.Append($"<section class=\"notice\"><p>{PageFrame.E(note)}</p></section>");
        }
        else if (!await MayWorkAsync(http, reader, task, ct))
            // Readers who may not do the task (a helping department, a supervisor, a link whose task was handed on) see it without a form.
            body.Append($"<section class=\"notice\"><p id=\"view-only\">{PageFrame.E(PageTexts.Format("task.viewonly", page.Language, TaskAccess.Audience(task)))}</p></section>");
        else
            body.Append(Form(page, task, errors, entered, completionKey));

        if (feedback is not null)
        {
            // Reviewers judge the plan and the report: the completed tasks of the case, with what was entered.
            var done = await tasks.ListAsync(new TaskFilter { CaseNumber = feedback.Number, Statuses = [FeedbackTaskStatus.Completed], PageSize = TaskFilter.MaxPageSize }, ct);
            body.Append(CaseSections.Earlier(page, done.Items));
            body.Append(CaseSections.Summary(page, feedback, await CaseSections.ContactsAsync(http, page, reader.AuditName, feedback, CaseAccess.MayRevealContactsFor(reader, feedback, task),
                http.Request.Path.StartsWithSegments(ActionLinkIssuer.Route) ? "task-link" : "staff-page", $"the task '{task.Title}'", ct)));
            body.Append(CaseSections.Notes(page, await http.RequestServices.GetRequiredService<CaseNotes>().ListAsync(feedback.Id, ct)));
            if (caseSection is not null) body.Append(caseSection(page, feedback));
            body.Append(CaseSections.History(page, await cases.HistoryAsync(feedback.Id, ct)));
        }
        return page.Render(task.Title, body.ToString(), status);
    }

    private static string Form(PageFrame page, FeedbackTask task, IReadOnlyList<string>? errors, JsonObject? entered, string? completionKey)
    {
        var form = new StringBuilder($"<form method=\"post\" action=\"{PageFrame.E(page.Self)}\">");
        form.Append(page.Errors(errors));
        if (task.Instructions is { } instructions)
            form.Append($"<h2>{PageFrame.E(page.T("task.instructions"))}</h2><pre>{PageFrame.E(instructions)}</pre>");
        if (task.DueAt is { } due)
            form.Append($"<p><strong>{PageFrame.E(page.T("task.due"))}:</strong> {PageFrame.E(page.Time(due))}</p>");
        form.Append(page.AntiforgeryField());
        if (completionKey is not null) form.Append($"<input type=\"hidden\" name=\"completion\" value=\"{PageFrame.E(completionKey)}\">");
        foreach (var field in task.Fields)
        {
            var id = "f-" + field.Name;
            var value = (string?)entered?[field.Name]?.ToString() ?? "";
            var required = field.Required ? " required" : "";
            var label = PageFrame.E(string.IsNullOrWhiteSpace(field.Label) ? field.Name : field.Label) + (field.Required ? $" <span class=\"muted\">({PageFrame.E(page.T("task.required"))})</span>" : "");
            form.Append($"<label for=\"{PageFrame.E(id)}\">{label}</label>");
            var name = PageFrame.E(field.Name);
            switch (TaskForm.TypeOf(field))
            {
                case "number":
                    form.Append($"<input type=\"number\" step=\"any\" id=\"{PageFrame.E(id)}\" name=\"{name}\" value=\"{PageFrame.E(value)}\"{required}>");
                    break;
                case "date":
                    form.Append($"<input type=\"date\" id=\"{PageFrame.E(id)}\" name=\"{name}\" value=\"{PageFrame.E(value)}\"{required}>");
                    break;
                case "choice":
                    form.Append($"<select id=\"{PageFrame.E(id)}\" name=\"{name}\"{required}><option value=\"\"></option>");
                    foreach (var choice in field.Choices ?? [])
                        form.Append($"<option{(choice == value ? " selected" : "")}>{PageFrame.E(choice)}</option>");
                    form.Append("</select>");
                    break;
                case "attachment":
                    form.Append($"<input type=\"url\" id=\"{PageFrame.E(id)}\" name=\"{name}\" value=\"{PageFrame.E(value)}\" placeholder=\"https://\"{required}>")
                        .Append($"<span class=\"muted\">{PageFrame.E(page.T("task.attachment.hint"))}</span>");
                    break;
                default:
                    form.Append($"<textarea id=\"{PageFrame.E(id)}\" name=\"{name}\" maxlength=\"{TaskForm.MaxTextLength}\"{required}>{PageFrame.E(value)}</textarea>");
                    break;
            }
        }
        foreach (var action in task.Actions)
            form.Append($"<button type=\"submit\" name=\"action\" value=\"{PageFrame.E(action)}\">{PageFrame.E(action)}</button>");
        return form.Append("</form>").ToString();
    }

    /// <summary>Whether the reader may complete the task, as TaskService decides (standing in for an absent colleague too).</summary>
    private static async Task<bool> MayWorkAsync(HttpContext http, Actor reader, FeedbackTask task, CancellationToken ct) =>
        reader.UserName is { } user && (TaskAccess.MayWork(task, user, reader.Member)
            || await http.RequestServices.GetRequiredService<TaskService>().MayCompleteAsync(task, user, ct));

    /// <summary>
    /// A mailed link keeps working for weeks, so who may open it is decided on each use, by the staff pages' rule: an
    /// active member, not the person the case is about, who may read the task (or may still work on it). A member
    /// deactivated or named in the case since the mail was sent is refused.
    /// </summary>
    private static async Task<bool> MayOpenAsync(HttpContext http, Actor reader, FeedbackTask task, CancellationToken ct)
    {
        if (reader.Member is not { Active: true } || reader.UserName is not { } user) return false;
        if (await Staff.StaffTaskPage.MayReadAsync(http, reader, task, ct)) return true;
        // A role task that names no department reaches members of any department; MayWork already keeps out whom the case is about.
        return TaskAccess.MayWork(task, user, reader.Member) && !await IsAboutAsync(http, reader, task, ct);
    }

    private static async Task<bool> IsAboutAsync(HttpContext http, Actor reader, FeedbackTask task, CancellationToken ct) =>
        task.CaseNumber is { } number && await http.RequestServices.GetRequiredService<CaseService>().FindAsync(number, ct) is { } feedback
        && CaseAccess.IsAbout(reader, feedback);

    /// <summary>The page for a reader the task is no longer open to; it says nothing of the case.</summary>
    private static IResult Refused(HttpContext http) => LinkPages.Problem(http, "problem.access", StatusCodes.Status403Forbidden);

    /// <summary>The reader as the directory knows them (a link names a user the directory may no longer hold).</summary>
    private static async Task<Actor> ReaderAsync(HttpContext http, string user, CancellationToken ct)
    {
        var dbFactory = http.RequestServices.GetRequiredService<IDbContextFactory<FeedbackDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return new Actor(user, await DirectoryService.MemberAsync(db, user, ct));
    }

}
