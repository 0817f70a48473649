using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Feedback.Host.Staff;

/// <summary>
/// A staff member's sign-in: an ASP.NET Core authentication cookie (HttpOnly, SameSite=Lax so links from mail arrive
/// signed in, Secure on HTTPS, scoped to <c>/staff</c>) with a sliding lifetime, protected by the database key ring so
/// every host reads it. Each request re-checks the credential stamp, so a new password or a deactivated member ends it.
/// </summary>
public sealed class StaffSession
{
    public const string Scheme = "FeedbackStaff";
    public const string CookieName = "feedback_staff";
    private const string StampClaim = "feedback:stamp";

    /// <summary>Registers the cookie scheme.</summary>
    public static void Configure(AuthenticationBuilder authentication, StaffSignInOptions options) =>
        authentication.AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = StaffRoutes.Root;
            o.Cookie.IsEssential = true;
            o.ExpireTimeSpan = options.SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = StaffRoutes.SignIn;
            o.Events.OnValidatePrincipal = async context =>
            {
                var name = context.Principal?.Identity?.Name;
                var stamp = context.Principal?.FindFirst(StampClaim)?.Value;
                var credentials = context.HttpContext.RequestServices.GetRequiredService<StaffCredentials>();
                if (name is null || stamp is null || !await credentials.IsCurrentAsync(name, stamp, context.HttpContext.RequestAborted))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(Scheme);
                }
            };
        });

    /// <summary>The signed-in staff member's user name, or null.</summary>
    public static async Task<string?> UserAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        return result.Succeeded ? result.Principal.Identity?.Name : null;
    }

    public static Task SignInAsync(HttpContext http, string userName, string stamp)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, userName), new Claim(StampClaim, stamp)], Scheme);
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(Scheme);
}

/// <summary>The staff pages' paths.</summary>
public static class StaffRoutes
{
    public const string Root = "/staff";
    public const string SignIn = "/staff/sign-in";
    public const string SignOut = "/staff/sign-out";
    public const string Entry = "/staff/entry";
    public const string Tasks = "/staff/tasks";
}
