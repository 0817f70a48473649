using Feedback.Workflows.Persistence;

namespace Feedback.Host.Studio;

/// <summary>The admin shell's pages: sign-in and sign-out, the editor, the instance list and the instance viewer.</summary>
internal static class StudioPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(StudioRoutes.Root, (HttpContext context) => Results.Redirect(context.Request.PathBase + StudioRoutes.Definitions)).RequireStudioFiles();

        app.MapGet(StudioRoutes.SignIn, (HttpContext context, StudioSession session, string? returnUrl) =>
            session.Current(context) is not null
                ? Results.Redirect(context.Request.PathBase + StudioRoutes.SafeReturnUrl(returnUrl))
                : SignInPage(context, returnUrl, error: null, userName: null)).RequireStudioFiles();

        app.MapPost(StudioRoutes.SignIn, async (HttpContext context, StudioSession session, StudioUsers users, StudioSignInLockout lockout) =>
        {
            if (!StudioSession.IsSameOriginPost(context.Request)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            string? userName = form["userName"];
            var address = context.Connection.RemoteIpAddress;
            // Counted before the password is checked, as on the staff side: guesses sent at once get no more checks than the limit.
            if (await lockout.BeginAttemptAsync(userName, address, context.RequestAborted) is { } refused) return Locked(context, form["returnUrl"], userName, refused.Until);
            var user = users.Verify(userName, form["password"]);
            var lockedNow = await lockout.EndAttemptAsync(userName, address, succeeded: user is not null, CancellationToken.None);
            if (user is null)
                return lockedNow is { } locked
                    ? Locked(context, form["returnUrl"], userName, locked.Until)
                    : SignInPage(context, form["returnUrl"], "The user name or password is not right.", userName, StatusCodes.Status401Unauthorized);
            session.SignIn(context, user.UserName);
            return Results.Redirect(context.Request.PathBase + StudioRoutes.SafeReturnUrl(form["returnUrl"]));
        }).RequireStudioFiles();

        app.MapPost(StudioRoutes.SignOut, (HttpContext context, StudioSession session) =>
        {
            if (!StudioSession.IsSameOriginPost(context.Request)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            session.SignOut(context);
            return Results.Redirect(context.Request.PathBase + StudioRoutes.SignIn);
        });

        app.MapGet(StudioRoutes.Definitions + "/{definitionId}/edit", async (string definitionId, HttpContext context, WorkflowDefinitionStore store) =>
        {
            var page = new StudioHtml(context, context.StudioUser());
            // The editor dies on a 404 for its definition, so an unknown id gets a page that says so instead.
            return await store.FindAsync(definitionId, VersionOptions.Latest, context.RequestAborted) is { } definition
                ? page.Studio(definition.Name ?? "Workflow", new StudioElement("elsa-workflow-definition-editor", ("definition-id", definition.DefinitionId)))
                : NotFound(page, "This workflow does not exist (it may have been deleted).", StudioRoutes.Definitions, "Back to the workflows");
        }).RequireStudioUser();

        app.MapGet(StudioRoutes.Instances, (HttpContext context) =>
            new StudioHtml(context, context.StudioUser()).Studio("Instances", new StudioElement("elsa-workflow-instance-list"))).RequireStudioUser();

        app.MapGet(StudioRoutes.Instances + "/{instanceId}/view", async (string instanceId, HttpContext context, WorkflowInstanceStore store) =>
        {
            var page = new StudioHtml(context, context.StudioUser());
            return await store.FindAsync(instanceId, context.RequestAborted) is not null
                ? page.Studio("Instance", new StudioElement("elsa-workflow-instance-viewer", ("instance-id", instanceId)))
                : NotFound(page, "This workflow instance does not exist.", StudioRoutes.Instances, "Back to the instances");
        }).RequireStudioUser();

        // The Studio navigates to these addresses itself (Run opens the new instance); send a reload to the shell's page.
        app.MapGet("/workflows/instances/{instanceId}/view", (string instanceId, HttpContext context) =>
            Results.Redirect(context.Request.PathBase + StudioRoutes.View(instanceId)));
        app.MapGet("/workflows/definitions/{definitionId}/edit", (string definitionId, HttpContext context) =>
            Results.Redirect(context.Request.PathBase + StudioRoutes.Edit(definitionId)));
    }

    /// <summary>429 with Retry-After and a message saying for how long; the form stays so the user sees where to come back.</summary>
    private static IResult Locked(HttpContext context, string? returnUrl, string? userName, DateTimeOffset until)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((until - TimeProvider.System.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var wait = seconds < 120 ? $"{seconds} seconds" : $"{(int)Math.Ceiling(seconds / 60.0)} minutes";
        return SignInPage(context, returnUrl,
            $"Too many failed sign-ins: signing in is locked for {wait} (until {until:HH:mm:ss} UTC). Try again after that, or ask another administrator.",
            userName, StatusCodes.Status429TooManyRequests);
    }

    private static IResult SignInPage(HttpContext context, string? returnUrl, string? error, string? userName, int status = StatusCodes.Status200OK)
    {
        var page = new StudioHtml(context, user: null);
        var message = error is null ? "" : $"<p class=\"error\" role=\"alert\">{StudioHtml.Encode(error)}</p>";
        var content = $"""
            <main class="page narrow">
            <h1>Sign in</h1>
            <p class="hint">Edit and publish the feedback processes, and follow their instances.</p>
            <form method="post" action="{StudioHtml.Encode(page.Href(StudioRoutes.SignIn))}" class="stacked">
            {message}
            <label>User name <input name="userName" autocomplete="username" required autofocus value="{StudioHtml.Encode(userName)}"></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <input type="hidden" name="returnUrl" value="{StudioHtml.Encode(StudioRoutes.SafeReturnUrl(returnUrl))}">
            <button type="submit" class="primary">Sign in</button>
            </form>
            </main>
            """;
        return page.Page("Sign in", content, status);
    }

    internal static IResult NotFound(StudioHtml page, string message, string backRoute, string backLabel) =>
        page.Page("Not found", $"<main class=\"page narrow\"><h1>Not found</h1><p>{StudioHtml.Encode(message)}</p>" +
            $"<p><a href=\"{StudioHtml.Encode(page.Href(backRoute))}\">{StudioHtml.Encode(backLabel)}</a></p></main>", StatusCodes.Status404NotFound);
}
