using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// What the case forms on the task and case pages (note, malicious or false, duplicate, praise, owner, complained about)
/// share: who may post them, how a refused change is answered, and the way back to the page the form was on.
/// </summary>
internal static class CaseFlagPost
{
    /// <summary>
    /// The signed-in member who may flag case <paramref name="number"/> (or do what <paramref name="allowed"/> checks),
    /// and the posted form; or the answer that refuses the post (sign-in redirect, bad form, or 403 with the text
    /// <paramref name="forbiddenKey"/>).
    /// </summary>
    private static async Task<(Actor? Actor, IFormCollection? Form, IResult? Refusal)> ReadAsync(
        HttpContext http, string number, CaseService cases, string forbiddenKey, CancellationToken ct, Func<Actor, FeedbackCase, bool>? allowed = null)
    {
        var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
        if (redirect is not null) return (null, null, redirect);
        if (await StaffPageGate.CheckPostAsync(http) is { } refused) return (null, null, refused);
        var feedback = await cases.FindAsync(number, ct);
        if (feedback is null || !CaseAccess.MayRead(actor!, feedback) || !(allowed ?? ((a, _) => CaseAccess.MayFlag(a)))(actor!, feedback))
            return (null, null, Forbidden(http, forbiddenKey));
        return (actor, await http.Request.ReadFormAsync(ct), null);
    }

    /// <summary>
    /// A case form's post: refused as <see cref="ReadAsync"/> refuses, else <paramref name="act"/> runs. Its own answer
    /// (a bad form) is returned as it is; a refused change becomes a 400 (<see cref="CaseValidationException"/>) or a 409
    /// (<see cref="Feedback.Activities.Tasks.TaskConflictException"/>) with its message; otherwise back to the task or case page at <paramref name="anchor"/>.
    /// </summary>
    public static async Task<IResult> HandleAsync(HttpContext http, string number, CaseService cases, string forbiddenKey, string anchor,
        Func<Actor, IFormCollection, Task<IResult?>> act, CancellationToken ct, Func<Actor, FeedbackCase, bool>? allowed = null)
    {
        var (actor, form, refusal) = await ReadAsync(http, number, cases, forbiddenKey, ct, allowed);
        if (refusal is not null) return refusal;
        try
        {
            if (await act(actor!, form!) is { } answer) return answer;
        }
        catch (CaseValidationException e)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest, e.Message);
        }
        catch (Feedback.Activities.Tasks.TaskConflictException e)
        {
            return LinkPages.Problem(http, "problem.form", StatusCodes.Status409Conflict, e.Message);
        }
        return BackToTask(http, form!, anchor);
    }

    /// <summary>403 with the page text <paramref name="key"/>.</summary>
    public static IResult Forbidden(HttpContext http, string key) =>
        LinkPages.Problem(http, "problem.form", StatusCodes.Status403Forbidden, PageTexts.Get(key, PageLanguage.Choose(http.Request)));

    /// <summary>
    /// Back to the task page named by the form's <c>task</c> field (a task id is hex), at <paramref name="anchor"/>;
    /// without one, to the page of the case the form was posted for.
    /// </summary>
    private static IResult BackToTask(HttpContext http, IFormCollection form, string anchor)
    {
        var task = form["task"].ToString();
        var back = task is { Length: > 0 and <= 64 } && task.All(char.IsAsciiLetterOrDigit) ? $"{StaffRoutes.Tasks}/{task}"
            : http.GetRouteValue("number") is string number ? $"{StaffCasePage.Route}/{Uri.EscapeDataString(number)}"
            : StaffRoutes.Root;
        return Results.Redirect($"{http.Request.PathBase}{back}?lang={Uri.EscapeDataString(PageLanguage.Choose(http.Request))}#{anchor}");
    }
}
