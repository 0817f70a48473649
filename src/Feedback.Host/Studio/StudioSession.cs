namespace Feedback.Host.Studio;

/// <summary>
/// The admin shell's sign-in state: the bearer token in an HttpOnly, SameSite=Strict cookie scoped to <c>/studio</c>.
/// The pages hand the same token to the Studio elements, which send it to the API as <c>Authorization: Bearer</c>.
/// </summary>
public sealed class StudioSession(StudioTokens tokens)
{
    private const string CookieName = "feedback_studio";

    /// <summary>The signed-in user's token, or null when signed out or expired.</summary>
    public StudioToken? Current(HttpContext context) => tokens.Read(context.Request.Cookies[CookieName]);

    public StudioToken SignIn(HttpContext context, string userName)
    {
        var token = tokens.Issue(userName);
        context.Response.Cookies.Append(CookieName, token.Value, Options(context, token.ExpiresAt));
        return token;
    }

    public void SignOut(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context, null));

    /// <summary>
    /// True unless the browser says the form was posted from another site. SameSite=Strict already keeps the cookie off
    /// such requests; this also stops cross-site sign-in posts, which carry no cookie to lose.
    /// </summary>
    public static bool IsSameOriginPost(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0) return site is "same-origin" or "none";
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = context.Request.PathBase.Add(StudioRoutes.Root).Value,
        Expires = expires,
        IsEssential = true,
    };
}
