using System.Text;
using Feedback.Host.Links;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// The "set your password" link's page. A GET only shows the form; the POST sets the password once: the link is
/// marked used before the password is stored, so a second submit (or a second host) finds it used. A link that a newer
/// one cancelled, or issued before the password was last set, is refused (410).
/// </summary>
internal static class SetPasswordPage
{
    public static async Task<IResult> ShowAsync(HttpContext http, LinkToken link, CancellationToken ct)
    {
        if (await http.RequestServices.GetRequiredService<UsedLinks>().IsUsedAsync(link.Id, ct)) return LinkPages.Rejected(http, LinkProblem.Used);
        var user = link.UserName ?? throw new InvalidOperationException("A set-password link without a user name was minted.");
        if (!await http.RequestServices.GetRequiredService<StaffCredentials>().IsPasswordLinkCurrentAsync(user, link.Id, IssuedAt(http, link), ct))
            return LinkPages.Rejected(http, LinkProblem.Superseded);
        return Render(http, link, null, StatusCodes.Status200OK);
    }

    public static async Task<IResult> SubmitAsync(HttpContext http, LinkToken link, IFormCollection form, CancellationToken ct)
    {
        var credentials = http.RequestServices.GetRequiredService<StaffCredentials>();
        var used = http.RequestServices.GetRequiredService<UsedLinks>();
        var user = link.UserName ?? throw new InvalidOperationException("A set-password link without a user name was minted.");
        var (password, confirmation) = (form["password"].ToString(), form["confirm"].ToString());
        var errors = credentials.Check(user, password, confirmation);
        if (errors.Count > 0) return Render(http, link, errors, StatusCodes.Status400BadRequest);
        if (!await used.MarkUsedAsync(link, user, ct)) return LinkPages.Rejected(http, LinkProblem.Used);
        try
        {
            await credentials.SetPasswordAsync(user, password, confirmation, link.Id, IssuedAt(http, link), ct);
        }
        catch (KeyNotFoundException e)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status409Conflict, e.Message);
        }
        catch (PasswordLinkSupersededException)
        {
            return LinkPages.Rejected(http, LinkProblem.Superseded);
        }
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var body = $"<section class=\"notice\"><p>{PageFrame.E(page.T("staff.password.done"))}</p>"
            + $"<p><a id=\"sign-in\" href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.SignIn)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.password.signin"))}</a></p></section>";
        return page.Render(page.T("staff.password.title"), body);
    }

    // The token carries its expiry; a password link lives SetPasswordLifetime, so this is when it was minted.
    private static DateTimeOffset IssuedAt(HttpContext http, LinkToken link) =>
        link.ExpiresAt - http.RequestServices.GetRequiredService<MailLinkOptions>().SetPasswordLifetime;

    private static IResult Render(HttpContext http, LinkToken link, IReadOnlyList<string>? errors, int status)
    {
        var page = new PageFrame(http, PageLanguage.Choose(http.Request));
        var min = http.RequestServices.GetRequiredService<StaffSignInOptions>().MinPasswordLength;
        var html = new StringBuilder($"<form method=\"post\" action=\"{PageFrame.E(page.Self)}\">");
        html.Append(page.Errors(errors));
        html.Append($"<p>{PageFrame.E(PageTexts.Format("staff.password.intro", page.Language, link.UserName, min))}</p>");
        html.Append(page.AntiforgeryField());
        // Lets password managers file the new password under the right account.
        html.Append($"<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"{PageFrame.E(link.UserName)}\">");
        html.Append($"<label for=\"password\">{PageFrame.E(page.T("staff.password.new"))}</label><input type=\"password\" id=\"password\" name=\"password\" required minlength=\"{min}\" maxlength=\"{StaffSignInOptions.MaxPasswordLength}\" autocomplete=\"new-password\">");
        html.Append($"<label for=\"confirm\">{PageFrame.E(page.T("staff.password.confirm"))}</label><input type=\"password\" id=\"confirm\" name=\"confirm\" required minlength=\"{min}\" maxlength=\"{StaffSignInOptions.MaxPasswordLength}\" autocomplete=\"new-password\">");
        html.Append($"<button type=\"submit\">{PageFrame.E(page.T("staff.password.submit"))}</button></form>");
        return page.Render(page.T("staff.password.title"), html.ToString(), status);
    }
}
