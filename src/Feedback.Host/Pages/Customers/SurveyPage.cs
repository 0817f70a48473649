using System.Globalization;
using System.Text;
using Feedback.Activities.Cases;
using Feedback.Activities.Surveys;
using Feedback.Host.Links;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;

namespace Feedback.Host.Pages.Customers;

/// <summary>The satisfaction survey a customer opens from the mail: a rating from 1 to 5 and a comment, answered once.</summary>
internal static class SurveyPage
{
    public static async Task<IResult> ShowAsync(HttpContext http, LinkToken link, CancellationToken ct)
    {
        if (await http.RequestServices.GetRequiredService<UsedLinks>().IsUsedAsync(link.Id, ct)) return LinkPages.Rejected(http, LinkProblem.Used);
        var feedback = await FindCaseAsync(http, link, ct);
        if (feedback is null) return LinkPages.Rejected(http, LinkProblem.Forged);
        var page = new PageFrame(http, PageLanguage.Choose(http.Request, feedback.Language));
        if (!await http.RequestServices.GetRequiredService<SurveyService>().IsWaitingAsync(link.Subject, ct))
            return page.Render(page.T("survey.title"), $"<section class=\"notice\"><p>{PageFrame.E(page.T("survey.closed"))}</p></section>");
        return Form(page, feedback, null, null, null, StatusCodes.Status200OK);
    }

    public static async Task<IResult> SubmitAsync(HttpContext http, LinkToken link, IFormCollection form, CancellationToken ct)
    {
        var used = http.RequestServices.GetRequiredService<UsedLinks>();
        var feedback = await FindCaseAsync(http, link, ct);
        if (feedback is null) return LinkPages.Rejected(http, LinkProblem.Forged);
        var page = new PageFrame(http, PageLanguage.Choose(http.Request, feedback.Language));
        // A repeated submit of the answered survey (double click, refresh) gets the same thanks; nothing moves twice.
        if (await used.IsUsedAsync(link.Id, ct)) return await ThanksAsync(http, page, link, fresh: false, ct);

        var comment = form["comment"].ToString();
        var ratingText = form["rating"].ToString();
        if (!int.TryParse(ratingText, NumberStyles.None, CultureInfo.InvariantCulture, out var rating) || rating is < 1 or > 5)
            return Form(page, feedback, [page.T("survey.invalid")], ratingText, comment, StatusCodes.Status400BadRequest);
        try
        {
            await http.RequestServices.GetRequiredService<SurveyService>().AnswerAsync(link.Subject, rating, comment, ct);
            await used.MarkUsedAsync(link, "customer", ct);
            return await ThanksAsync(http, page, link, fresh: true, ct);
        }
        catch (CaseValidationException e)
        {
            return Form(page, feedback, e.Errors, ratingText, comment, StatusCodes.Status400BadRequest);
        }
        catch (SurveyClosedException)
        {
            // A concurrent submit of this same link may have won; then this one is the same answer.
            if (await used.IsUsedAsync(link.Id, ct)) return await ThanksAsync(http, page, link, fresh: false, ct);
            return page.Render(page.T("survey.title"), $"<section class=\"notice\"><p>{PageFrame.E(page.T("survey.closed"))}</p></section>", StatusCodes.Status409Conflict);
        }
    }

    /// <summary>
    /// The thanks, and for an answer given just now what it starts: the reply, another rectification, or a decision on
    /// what more to do. A repeated submit gets the thanks alone: the case may have moved on since its answer.
    /// </summary>
    private static async Task<IResult> ThanksAsync(HttpContext http, PageFrame page, LinkToken link, bool fresh, CancellationToken ct)
    {
        var feedback = fresh ? await FindCaseAsync(http, link, ct) : null;
        var next = feedback switch
        {
            { CustomerSatisfied: true } => "survey.next.satisfied",
            { Status: CaseStatus.InRectification } => "survey.next.rework",
            { CustomerSatisfied: false } => "survey.next.decision",
            _ => null,
        };
        var body = $"<section class=\"notice\"><p>{PageFrame.E(page.T("survey.thanks.body"))}</p>"
            + (next is null ? "" : $"<p id=\"survey-next\">{PageFrame.E(page.T(next))}</p>") + "</section>";
        return page.Render(page.T("survey.thanks.title"), body);
    }

    private static IResult Form(PageFrame page, FeedbackCase feedback, IReadOnlyList<string>? errors, string? rating, string? comment, int status)
    {
        var html = new StringBuilder($"<form method=\"post\" action=\"{PageFrame.E(page.Self)}\">");
        html.Append(page.Errors(errors));
        html.Append($"<p>{PageFrame.E(PageTexts.Format("survey.intro", page.Language, feedback.Number))}</p>");
        html.Append(page.AntiforgeryField());
        html.Append($"<fieldset class=\"rating\"><legend>{PageFrame.E(page.T("survey.rating"))}</legend>");
        for (var i = 1; i <= 5; i++)
        {
            var value = i.ToString(CultureInfo.InvariantCulture);
            html.Append($"<label><input type=\"radio\" name=\"rating\" value=\"{value}\" required{(rating == value ? " checked" : "")}> {PageFrame.E(page.T("survey.r" + value))}</label>");
        }
        html.Append("</fieldset>");
        html.Append($"<label for=\"comment\">{PageFrame.E(page.T("survey.comment"))}</label>");
        html.Append($"<textarea id=\"comment\" name=\"comment\" maxlength=\"{SurveyAnswer.MaxCommentLength}\">{PageFrame.E(comment)}</textarea>");
        html.Append($"<button type=\"submit\">{PageFrame.E(page.T("survey.submit"))}</button></form>");
        return page.Render(page.T("survey.title"), html.ToString(), status);
    }

    private static async Task<FeedbackCase?> FindCaseAsync(HttpContext http, LinkToken link, CancellationToken ct) =>
        link.CaseNumber is null ? null : await http.RequestServices.GetRequiredService<CaseService>().FindAsync(link.CaseNumber, ct);
}
