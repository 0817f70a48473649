using Feedback.Activities.Access;
using Feedback.Host.Access;
using Feedback.Host.Pages.Links;
using Feedback.Host.Staff;
using Microsoft.AspNetCore.Antiforgery;

namespace Feedback.Host.Pages.Staff;

/// <summary>What every staff page checks: a signed-in, active directory member; posts from our own pages only.</summary>
internal static class StaffPageGate
{
    /// <summary>The signed-in member as the actor, or a redirect to the sign-in page that comes back here.</summary>
    public static async Task<(Actor? Actor, IResult? Redirect)> RequireAsync(HttpContext http, CancellationToken ct)
    {
        var actor = await http.RequestServices.GetRequiredService<StaffActorResolver>().ResolveAsync(http, ct);
        if (actor.Member is { Active: true } && await StaffSession.UserAsync(http) == actor.UserName) return (actor, null);
        var back = http.Request.Method == HttpMethods.Get ? (http.Request.PathBase + http.Request.Path + http.Request.QueryString).ToString() : StaffRoutes.Root;
        return (null, Results.Redirect($"{http.Request.PathBase}{StaffRoutes.SignIn}?returnUrl={Uri.EscapeDataString(back)}"));
    }

    /// <summary>Null when the post is a form from this site with a valid anti-forgery token; otherwise the page that says not.</summary>
    public static async Task<IResult?> CheckPostAsync(HttpContext http)
    {
        if (http.Request.ContentLength is null or > LinkPages.MaxFormBytes || !http.Request.HasFormContentType || !Studio.StudioSession.IsSameOriginPost(http.Request))
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>A local path to return to after signing in; anything else goes to the inbox.</summary>
    public static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 500 } url && url.StartsWith(StaffRoutes.Root, StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal) && !url.Contains('\\')
            ? url : StaffRoutes.Root;
}
