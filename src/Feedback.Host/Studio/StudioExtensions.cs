namespace Feedback.Host.Studio;

/// <summary>Wires the admin shell and the Elsa Studio it hosts at <c>/studio</c>.</summary>
public static class StudioExtensions
{
    /// <summary>Registers sign-in, tokens and the Studio files; the returned tokens are what the API accepts as <c>Bearer</c>.</summary>
    /// <exception cref="InvalidOperationException">The Admin settings are incomplete or invalid.</exception>
    public static StudioTokens AddFeedbackStudio(this WebApplicationBuilder builder, string apiKey)
    {
        var configuration = builder.Configuration;
        var lifetimeText = configuration["Admin:TokenLifetime"];
        var lifetime = string.IsNullOrWhiteSpace(lifetimeText) ? TimeSpan.FromHours(4)
            : TimeSpan.TryParse(lifetimeText, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero ? parsed
            : throw new InvalidOperationException($"Admin:TokenLifetime is '{lifetimeText}'; use a positive time span such as 04:00:00.");
        var tokens = new StudioTokens(apiKey, lifetime, TimeProvider.System);
        // Same rule as the host's other development files (the API key): DataFolder, else data/ under the content root.
        var dataFolder = Path.GetFullPath(configuration["DataFolder"] ?? Path.Combine(builder.Environment.ContentRootPath, "data"));
        var configuredFolder = configuration["Studio:FilesPath"];
        var filesFolder = string.IsNullOrWhiteSpace(configuredFolder)
            ? Path.Combine(builder.Environment.ContentRootPath, StudioFiles.DefaultRelativeFolder)
            : Path.GetFullPath(configuredFolder, builder.Environment.ContentRootPath);

        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton<StudioSession>();
        builder.Services.AddSingleton(new StudioFiles(filesFolder, configured: !string.IsNullOrWhiteSpace(configuredFolder)));
        builder.Services.AddSingleton(_ => StudioUsers.Load(configuration, dataFolder));
        builder.Services.AddSingleton(StudioLockoutOptions.Read(configuration));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StudioSignInLockout>(sp, TimeProvider.System, ""));
        return tokens;
    }

    /// <summary>Maps the shell's pages, its two assets and the Studio's files under <c>/studio</c>.</summary>
    public static void MapFeedbackStudio(this WebApplication app)
    {
        StudioPages.Map(app);
        StudioDefinitionPages.Map(app);
        MapAsset(app, StudioRoutes.ShellCss, "feedback-shell.css", "text/css; charset=utf-8");
        MapAsset(app, StudioRoutes.ShellJs, "feedback-shell.js", "text/javascript; charset=utf-8");
        app.MapMethods(StudioRoutes.Root + "/{**path}", [HttpMethods.Get, HttpMethods.Head], (string path, HttpContext context, StudioFiles files) => files.Serve(context, path));

        // Resolved now so that a bad Admin setting stops the start-up instead of the first sign-in.
        var users = app.Services.GetRequiredService<StudioUsers>();
        var files = app.Services.GetRequiredService<StudioFiles>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Feedback.Host.Studio");
            if (!files.Available)
                log.LogWarning("Elsa Studio files are missing in {Folder}; /studio explains how to fetch them (npm ci in src/Feedback.Host/Studio).", files.Folder);
            if (users.NewDevelopmentPassword is not null)
                log.LogWarning("Development admin created (shown once; set Admin:Users to configure real users): user 'admin', password {Password}", users.NewDevelopmentPassword);
            else if (users.DevelopmentAdminFile is not null)
                log.LogInformation("Studio sign-in uses the development admin 'admin' from {File}; delete that file to get a new password.", users.DevelopmentAdminFile);
        });
    }

    private static void MapAsset(WebApplication app, string route, string name, string contentType)
    {
        using var stream = typeof(StudioExtensions).Assembly.GetManifestResourceStream($"Feedback.Host.Studio.{name}")
            ?? throw new InvalidOperationException($"The embedded asset {name} is missing from the build.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16]}\"");
        app.MapGet(route, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(bytes, contentType, entityTag: etag);
        });
    }
}
