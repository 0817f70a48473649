using Feedback.Activities.Links;
using Feedback.Host.Links;
using Feedback.Host.Pages.Customers;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Pages.Tasks;
using Microsoft.AspNetCore.Antiforgery;

namespace Feedback.Host.Pages.Links;

/// <summary>
/// The pages behind mailed links (<c>/l/{token}</c>). A GET only shows (mail scanners that open links change nothing);
/// the POST from the page, with its anti-forgery token, acts. Forged, expired and used links get a page that says so.
/// </summary>
internal static class LinkPages
{
    /// <summary>A posted form is small; anything bigger is not one of ours.</summary>
    public const long MaxFormBytes = 64 * 1024;

    public static void MapLinkPages(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup(ActionLinkIssuer.Route);

        links.MapGet("/{token}", async (string token, HttpContext http, LinkTokens tokens, CancellationToken ct) =>
        {
            if (Read(http, tokens, token) is not { } link) return Rejected(http, LinkProblem.Forged);
            if (link.Problem is { } problem) return await RejectedAsync(http, problem, link.Token, ct);
            return link.Token!.Kind switch
            {
                ActionLinkKind.StaffTask => await TaskLinkPage.ShowAsync(http, link.Token, ct),
                ActionLinkKind.Survey => await SurveyPage.ShowAsync(http, link.Token, ct),
                ActionLinkKind.SetPassword => await Staff.SetPasswordPage.ShowAsync(http, link.Token, ct),
                _ => await CasePage.ShowAsync(http, link.Token, ct),
            };
        });

        // A case's photos for the staff member holding a task link of that case, while the link's page may be shown to them.
        links.MapGet("/{token}/photos/{id}", async (string token, string id, HttpContext http, LinkTokens tokens, CancellationToken ct) =>
        {
            if (Read(http, tokens, token) is not { Token: { } link, Problem: null } || link.Kind != ActionLinkKind.StaffTask || link.CaseNumber is null)
                return Results.NotFound();
            if (await TaskLinkPage.ViewableAsync(http, link, ct) is not { } task || task.CaseNumber != link.CaseNumber) return Results.NotFound();
            var feedback = await http.RequestServices.GetRequiredService<Feedback.Activities.Cases.CaseService>().FindAsync(link.CaseNumber, ct);
            return await http.RequestServices.GetRequiredService<Intake.PhotoStore>().ServeAsync(feedback, id, ct);
        });

        links.MapPost("/{token}", async (string token, HttpContext http, LinkTokens tokens, IAntiforgery antiforgery, CancellationToken ct) =>
        {
            if (Read(http, tokens, token) is not { } link) return Rejected(http, LinkProblem.Forged);
            if (link.Problem is { } problem) return await RejectedAsync(http, problem, link.Token, ct);
            if (http.Request.ContentLength is null or > MaxFormBytes || !http.Request.HasFormContentType)
                return Problem(http, "problem.form", StatusCodes.Status400BadRequest);
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return Problem(http, "problem.form", StatusCodes.Status400BadRequest);
            }
            var form = await http.Request.ReadFormAsync(ct);
            return link.Token!.Kind switch
            {
                ActionLinkKind.StaffTask => await TaskLinkPage.SubmitAsync(http, link.Token, form, ct),
                ActionLinkKind.Survey => await SurveyPage.SubmitAsync(http, link.Token, form, ct),
                ActionLinkKind.SetPassword => await Staff.SetPasswordPage.SubmitAsync(http, link.Token, form, ct),
                _ => Results.StatusCode(StatusCodes.Status405MethodNotAllowed),
            };
        }).RequireRateLimiting(Api.PublicPostLimits.Links);
    }

    /// <summary>The page for a link that cannot be used: what happened and whom to contact.</summary>
    /// <param name="caseLanguage">The language of the case the link is about, when the page is for its customer.</param>
    public static IResult Rejected(HttpContext http, LinkProblem problem, string? caseLanguage = null) => problem switch
    {
        LinkProblem.Expired => Problem(http, "problem.expired", StatusCodes.Status410Gone, caseLanguage: caseLanguage),
        LinkProblem.Used => Problem(http, "problem.used", StatusCodes.Status410Gone, caseLanguage: caseLanguage),
        LinkProblem.Superseded => Problem(http, "problem.superseded", StatusCodes.Status410Gone, caseLanguage: caseLanguage),
        _ => Problem(http, "problem.forged", StatusCodes.Status404NotFound, caseLanguage: caseLanguage),
    };

    /// <summary>
    /// <see cref="Rejected(HttpContext, LinkProblem, string?)"/> for a genuine link that expired or was used: a customer's
    /// link (survey, case page) is answered in the case's language, as its page would have been.
    /// </summary>
    private static async Task<IResult> RejectedAsync(HttpContext http, LinkProblem problem, LinkToken? token, CancellationToken ct)
    {
        string? language = null;
        if (token is { Kind: ActionLinkKind.Survey or ActionLinkKind.CasePage, CaseNumber: { } number })
            language = (await http.RequestServices.GetRequiredService<Feedback.Activities.Cases.CaseService>().FindAsync(number, ct))?.Language;
        return Rejected(http, problem, language);
    }

    /// <summary>A short page with a title, an explanation and the contact.</summary>
    public static IResult Problem(HttpContext http, string key, int status, string? detail = null, string? caseLanguage = null)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request, caseLanguage));
        var contact = http.RequestServices.GetRequiredService<MailLinkOptions>().Contact is { Length: > 0 } configured ? configured : page.T("problem.contact.default");
        var body = $"<section class=\"notice\"><p>{PageFrame.E(page.T(key + ".body"))}</p>"
            + (detail is null ? "" : $"<p>{PageFrame.E(detail)}</p>")
            + $"<p>{PageFrame.E(PageTexts.Format("problem.contact", page.Language, contact))}</p></section>";
        return page.Render(page.T(key + ".title"), body, status);
    }

    private static (LinkToken? Token, LinkProblem? Problem)? Read(HttpContext http, LinkTokens tokens, string token)
    {
        try
        {
            return (tokens.Read(token), null);
        }
        catch (LinkRejectedException e)
        {
            return (e.Token, e.Problem);
        }
    }
}
