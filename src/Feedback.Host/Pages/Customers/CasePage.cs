using System.Text;
using Feedback.Activities.Cases;
using Feedback.Host.Links;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;

namespace Feedback.Host.Pages.Customers;

/// <summary>
/// What a customer sees of their case: its status, the milestones so far and the next step. Read-only, so the link
/// works until it expires; staff names, internal notes and review comments stay inside.
/// </summary>
internal static class CasePage
{
    /// <summary>The history actions a customer is told about; everything else is internal.</summary>
    private static readonly HashSet<string> CustomerEvents =
        ["Registered", "Classified", "Assigned", "CustomerNotified", "SurveySent", "SurveyAnswered", "CustomerSatisfied", "ReworkRequested", "Escalated",
            Feedback.Activities.Intake.Mail.MailIntakeService.CustomerMessageAction];

    public static async Task<IResult> ShowAsync(HttpContext http, LinkToken link, CancellationToken ct)
    {
        var cases = http.RequestServices.GetRequiredService<CaseService>();
        var feedback = await cases.FindAsync(link.Subject, ct);
        if (feedback is null) return LinkPages.Rejected(http, LinkProblem.Forged);
        var page = new PageFrame(http, PageLanguage.Choose(http.Request, feedback.Language));
        var history = await cases.HistoryAsync(feedback.Id, ct);

        var body = new StringBuilder("<section><dl>");
        body.Append($"<dt>{PageFrame.E(page.T("case.status"))}</dt><dd><strong id=\"case-status\">{PageFrame.E(PageTexts.Get("status." + feedback.Status, page.Language))}</strong></dd>");
        body.Append($"<dt>{PageFrame.E(page.T("task.received"))}</dt><dd>{PageFrame.E(page.Time(feedback.ReceivedAt))}</dd>");
        body.Append("</dl></section>");
        body.Append($"<section><h2>{PageFrame.E(page.T("case.done"))}</h2><ol class=\"history\">");
        foreach (var entry in history.Where(h => CustomerEvents.Contains(h.Action)))
            body.Append($"<li><span class=\"muted\">{PageFrame.E(page.Time(entry.At))}</span> {PageFrame.E(PageTexts.Get("event." + entry.Action, page.Language))}</li>");
        body.Append("</ol></section>");
        // A duplicate is closed here and handled on the case it repeats: the customer is told which one, not "settled".
        var next = feedback.DuplicateOf is { } original ? PageTexts.Format("next.duplicate", page.Language, original) : PageTexts.Get("next." + feedback.Status, page.Language);
        body.Append($"<section><h2>{PageFrame.E(page.T("case.next"))}</h2><p id=\"case-next\">{PageFrame.E(next)}</p></section>");
        return page.Render(PageTexts.Format("case.title", page.Language, feedback.Number), body.ToString());
    }
}
