namespace Feedback.Host.Studio;

/// <summary>
/// What every shell page checks first: that the Studio files are installed (else a page that says how to get them)
/// and, for pages behind sign-in, that the user is signed in (else the sign-in page, coming back afterwards).
/// </summary>
internal static class StudioGate
{
    private const string UserKey = "Feedback.Studio.User";

    /// <summary>The page needs the Studio files.</summary>
    public static RouteHandlerBuilder RequireStudioFiles(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var files = context.HttpContext.RequestServices.GetRequiredService<StudioFiles>();
            return files.Available ? await next(context) : MissingFilesPage(context.HttpContext, files);
        });

    /// <summary>The page needs the Studio files and a signed-in user (available through <see cref="StudioUser"/>).</summary>
    public static RouteHandlerBuilder RequireStudioUser(this RouteHandlerBuilder builder) =>
        builder.RequireStudioFiles().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var user = http.RequestServices.GetRequiredService<StudioSession>().Current(http);
            if (user is null)
            {
                var back = http.Request.Path + http.Request.QueryString;
                return Results.Redirect($"{http.Request.PathBase}{StudioRoutes.SignIn}?returnUrl={Uri.EscapeDataString(back)}");
            }
            http.Items[UserKey] = user;
            return await next(context);
        });

    /// <summary>The signed-in user of a page behind <see cref="RequireStudioUser"/>.</summary>
    public static StudioToken StudioUser(this HttpContext context) =>
        context.Items[UserKey] as StudioToken ?? throw new InvalidOperationException("This endpoint is not behind RequireStudioUser().");

    private static IResult MissingFilesPage(HttpContext context, StudioFiles files)
    {
        var page = new StudioHtml(context, user: null);
        var content = $"""
            <main class="page narrow">
            <h1>The Elsa Studio files are missing</h1>
            <p>This host serves Elsa Studio from the npm package <code>@elsa-workflows/elsa-studio-wasm@3.8.2</code>, which building the host
            installs into {StudioHtml.Encode(files.DisplayFolder)}. That folder holds no Studio, so the editor cannot load.</p>
            <p>To get it, install Node.js with npm, make sure the npm registry is reachable, and then either</p>
            <ul>
            <li>run <code>npm ci</code> in <code>src/Feedback.Host/Studio</code> (it checks the package against the sha512 pinned in <code>package-lock.json</code>), or</li>
            <li>build the host again: <code>dotnet build src/Feedback.Host</code> runs that step when the folder is missing.</li>
            </ul>
            <p>Alternatively unpack the package anywhere and set <code>Studio:FilesPath</code> to that folder. No restart is needed: reload this page.</p>
            <p class="hint">The REST API under <code>/elsa/api</code> works without the Studio.</p>
            </main>
            """;
        return page.Page("Studio files missing", content, StatusCodes.Status503ServiceUnavailable);
    }
}
