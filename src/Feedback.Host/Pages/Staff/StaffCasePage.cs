using System.Text;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Sla;
using Feedback.Activities.Tasks;
using Feedback.Host.Api;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// <c>/staff/cases</c>: find cases (a caller's by e-mail or phone, or by state) among those the member may read, as
/// <c>GET /api/feedback</c> does; and <c>/staff/cases/{number}</c>: one case with its open tasks, earlier work, notes,
/// the forms the member may use (note, flags) and its history, also when no task of it is open.
/// </summary>
internal static class StaffCasePage
{
    public const string Route = StaffRoutes.Root + "/cases";

    public static void MapStaffCasePages(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, async (HttpContext http, CaseSearch search, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var query = http.Request.Query;
            var body = new StringBuilder(Back(http, page) + SearchForm(page, query));
            if (!query.ContainsKey("contact") && !query.ContainsKey("status") && !query.ContainsKey("open") && !query.ContainsKey("overdue"))
                return page.Render(page.T("staff.cases.title"), body.ToString());
            try
            {
                var found = await search.FindAsync(CaseSearchEndpoint.Query(query, actor!), ct);
                body.Append(ResultList(page, found, query));
            }
            catch (CaseValidationException e)
            {
                return page.Render(page.T("staff.cases.title"), Back(http, page) + SearchForm(page, query, e.Errors), StatusCodes.Status400BadRequest);
            }
            return page.Render(page.T("staff.cases.title"), body.ToString());
        });

        app.MapGet(Route + "/{number}", async (string number, HttpContext http, CaseService cases, TaskService tasks, CaseNotes notes, SlaClockService clocks, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            var feedback = await cases.FindAsync(number, ct);
            if (feedback is null || !CaseAccess.MayRead(actor!, feedback)) return StaffTaskPage.Refused(http);
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var all = (await tasks.ListAsync(new TaskFilter { CaseNumber = feedback.Number, PageSize = TaskFilter.MaxPageSize }, ct)).Items;
            var body = new StringBuilder(Back(http, page));
            body.Append(OpenTasks(page, all.Where(t => t.Status is FeedbackTaskStatus.Open or FeedbackTaskStatus.Claimed).ToList()));
            body.Append(CaseSections.Earlier(page, all.Where(t => t.Status == FeedbackTaskStatus.Completed).ToList()));
            body.Append(CaseSections.Summary(page, feedback, await CaseSections.ContactsAsync(http, page, actor!.AuditName, feedback, CaseAccess.MayRevealContacts(actor, feedback),
                "staff-page", "the case page", ct)));
            body.Append(Deadlines(page, await clocks.ClocksAsync(feedback.Number, ct)));
            body.Append(CaseSections.Notes(page, await notes.ListAsync(feedback.Id, ct)));
            body.Append(StaffTaskPage.CaseForms(page, actor!, feedback, ""));
            body.Append(CaseSections.History(page, await cases.HistoryAsync(feedback.Id, ct)));
            return page.Render(feedback.Number, body.ToString());
        });

        // The case's uploaded photos, for whoever may read the case.
        app.MapGet(Route + "/{number}/photos/{photo}", async (string number, string photo, HttpContext http, CaseService cases, Intake.PhotoStore photos, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            var feedback = await cases.FindAsync(number, ct);
            return feedback is not null && CaseAccess.MayRead(actor!, feedback) ? await photos.ServeAsync(feedback, photo, ct) : Results.NotFound();
        });
    }

    /// <summary>The links back to the inbox and to the search.</summary>
    private static string Back(HttpContext http, PageFrame page) =>
        $"<p><a id=\"back\" href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Root)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.inbox.back"))}</a> · "
        + $"<a href=\"{PageFrame.E(http.Request.PathBase + Route)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.cases.link"))}</a></p>";

    private static string SearchForm(PageFrame page, IQueryCollection query, IReadOnlyList<string>? errors = null)
    {
        var html = new StringBuilder($"<form method=\"get\" action=\"{PageFrame.E(page.Self)}\">{page.Errors(errors)}");
        html.Append($"<input type=\"hidden\" name=\"lang\" value=\"{PageFrame.E(page.Language)}\">");
        html.Append($"<label for=\"contact\">{PageFrame.E(page.T("staff.cases.contact"))}</label><input type=\"text\" id=\"contact\" name=\"contact\" maxlength=\"254\" value=\"{PageFrame.E(query["contact"])}\">");
        html.Append($"<label for=\"status\">{PageFrame.E(page.T("task.status"))}</label><select id=\"status\" name=\"status\"><option value=\"\"></option>");
        foreach (var status in Enum.GetNames<CaseStatus>())
            html.Append($"<option value=\"{status}\"{(query["status"] == status ? " selected" : "")}>{PageFrame.E(PageTexts.Get("status." + status, page.Language))}</option>");
        html.Append("</select>");
        html.Append($"<label><input type=\"checkbox\" name=\"open\" value=\"true\"{(query["open"] == "true" ? " checked" : "")}> {PageFrame.E(page.T("staff.cases.open"))}</label>");
        html.Append($"<label><input type=\"checkbox\" name=\"overdue\" value=\"true\"{(query["overdue"] == "true" ? " checked" : "")}> {PageFrame.E(page.T("staff.cases.overdue"))}</label>");
        return html.Append($"<button type=\"submit\">{PageFrame.E(page.T("staff.cases.find"))}</button></form>").ToString();
    }

    private static string ResultList(PageFrame page, CaseSearch.Page found, IQueryCollection query)
    {
        var html = new StringBuilder($"<section id=\"results\"><p>{PageFrame.E(PageTexts.Format("staff.cases.count", page.Language, found.TotalCount))}</p>");
        if (found.Items.Count > 0)
        {
            html.Append($"<table><thead><tr><th>{PageFrame.E(page.T("task.case"))}</th><th>{PageFrame.E(page.T("task.received"))}</th><th>{PageFrame.E(page.T("task.status"))}</th>"
                + $"<th>{PageFrame.E(page.T("task.category"))}</th><th>{PageFrame.E(page.T("task.due"))}</th><th>{PageFrame.E(page.T("task.customer"))}</th></tr></thead><tbody>");
            foreach (var c in found.Items)
                html.Append($"<tr><td><a href=\"{PageFrame.E(page.Self)}/{PageFrame.E(Uri.EscapeDataString(c.Number))}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(c.Number)}</a></td>"
                    + $"<td>{PageFrame.E(page.Time(c.ReceivedAt))}</td><td>{PageFrame.E(PageTexts.Get("status." + c.Status, page.Language))}</td>"
                    + $"<td>{PageFrame.E(c.Category?.ToString())}</td><td>{PageFrame.E(c.DueAt is { } caseDue ? page.Time(caseDue) : null)}</td><td>{PageFrame.E(c.Anonymous ? page.T("task.anonymous") : PersonalData.MaskName(c.CustomerName))}</td></tr>");
            html.Append("</tbody></table>");
        }
        if ((found.PageNumber + 1) * found.PageSize < found.TotalCount)
        {
            var next = string.Join("&amp;", query.Where(p => p.Key != "page").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
            html.Append($"<p><a id=\"next\" href=\"{PageFrame.E(page.Self)}?{next}&amp;page={found.PageNumber + 1}\">{PageFrame.E(page.T("staff.cases.next"))}</a></p>");
        }
        return html.Append("</section>").ToString();
    }

    /// <summary>The case's SLA clocks: what each measures, its state and when it is due; nothing when there are none.</summary>
    private static string Deadlines(PageFrame page, IReadOnlyList<CaseClockView> clocks)
    {
        if (clocks.Count == 0) return "";
        var html = new StringBuilder($"<section id=\"deadlines\"><h2>{PageFrame.E(page.T("staff.cases.deadlines"))}</h2><table><tbody>");
        foreach (var clock in clocks)
        {
            var state = clock.Breached ? page.T("staff.cases.breached") : clock.Paused ? page.T("staff.cases.paused") : clock.State.ToString();
            html.Append($"<tr><td>{PageFrame.E(clock.Name)}</td><td>{PageFrame.E(state)}</td>"
                + $"<td>{PageFrame.E(clock.DueAt is { } clockDue ? page.Time(clockDue) : null)}</td></tr>");
        }
        return html.Append("</tbody></table></section>").ToString();
    }

    private static string OpenTasks(PageFrame page, IReadOnlyList<FeedbackTask> open)
    {
        if (open.Count == 0) return "";
        var html = new StringBuilder($"<section id=\"open-tasks\"><h2>{PageFrame.E(page.T("staff.cases.tasks"))}</h2><ul>");
        foreach (var task in open)
            html.Append($"<li><a href=\"{PageFrame.E(StaffRoutes.Tasks)}/{PageFrame.E(task.Id)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(task.Title)}</a> "
                + $"<span class=\"muted\">{PageFrame.E(task.ClaimedBy ?? task.Assignee ?? task.DepartmentId)}</span></li>");
        return html.Append("</ul></section>").ToString();
    }
}
