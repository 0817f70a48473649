using System.Text;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// <c>/staff/sign-in</c> and <c>/staff/sign-out</c>: user name and password of a directory member, with the lockout
/// <see cref="StaffCredentials"/> applies; the answer to a wrong name and a wrong password is the same.
/// </summary>
internal static class SignInPage
{
    public static void MapStaffSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(StaffRoutes.SignIn, (HttpContext http, string? returnUrl) =>
        {
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            return Render(page, "", StaffPageGate.SafeReturn(returnUrl), null, StatusCodes.Status200OK);
        });

        app.MapPost(StaffRoutes.SignIn, async (HttpContext http, StaffCredentials credentials, CancellationToken ct) =>
        {
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            var form = await http.Request.ReadFormAsync(ct);
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var userName = form["username"].ToString().Trim();
            var back = StaffPageGate.SafeReturn(form["returnUrl"].ToString());
            var result = await credentials.VerifyAsync(userName, form["password"].ToString(), http.Connection.RemoteIpAddress, ct);
            switch (result.Outcome)
            {
                case SignInOutcome.SignedIn:
                    await StaffSession.SignInAsync(http, result.UserName!, result.Stamp!);
                    return Results.Redirect(http.Request.PathBase + back);
                case SignInOutcome.LockedOut:
                    var until = page.Time(result.LockedUntil!.Value);
                    return Render(page, userName, back, PageTexts.Format("staff.signin.locked", page.Language, until), StatusCodes.Status429TooManyRequests);
                case SignInOutcome.AddressLocked:
                    var paused = page.Time(result.LockedUntil!.Value);
                    return Render(page, userName, back, PageTexts.Format("staff.signin.paused", page.Language, paused), StatusCodes.Status429TooManyRequests);
                default:
                    return Render(page, userName, back, page.T("staff.signin.failed"), StatusCodes.Status401Unauthorized);
            }
        });

        app.MapPost(StaffRoutes.SignOut, async (HttpContext http) =>
        {
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            await StaffSession.SignOutAsync(http);
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            return Render(page, "", StaffRoutes.Root, null, StatusCodes.Status200OK, page.T("staff.signedout"));
        });
    }

    private static IResult Render(PageFrame page, string userName, string returnUrl, string? error, int status, string? notice = null)
    {
        var html = new StringBuilder();
        if (notice is not null) html.Append($"<section class=\"notice\"><p>{PageFrame.E(notice)}</p></section>");
        html.Append($"<form method=\"post\" action=\"{PageFrame.E(StaffRoutes.SignIn)}?lang={PageFrame.E(page.Language)}\">");
        html.Append(page.Errors(error is null ? null : [error]));
        html.Append(page.AntiforgeryField());
        html.Append($"<input type=\"hidden\" name=\"returnUrl\" value=\"{PageFrame.E(returnUrl)}\">");
        html.Append($"<label for=\"username\">{PageFrame.E(page.T("staff.username"))}</label><input type=\"text\" id=\"username\" name=\"username\" required maxlength=\"100\" autocomplete=\"username\" autocapitalize=\"none\" value=\"{PageFrame.E(userName)}\">");
        html.Append($"<label for=\"password\">{PageFrame.E(page.T("staff.password"))}</label><input type=\"password\" id=\"password\" name=\"password\" required maxlength=\"{StaffSignInOptions.MaxPasswordLength}\" autocomplete=\"current-password\">");
        html.Append($"<button type=\"submit\">{PageFrame.E(page.T("staff.signin.submit"))}</button></form>");
        html.Append($"<p class=\"muted\">{PageFrame.E(page.T("staff.signin.hint"))}</p>");
        return page.Render(page.T("staff.signin.title"), html.ToString(), status);
    }
}
