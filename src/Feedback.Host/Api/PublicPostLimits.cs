using System.Globalization;
using System.Threading.RateLimiting;
using Feedback.Host.Pages.Links;
using Feedback.Workflows.Api;
using Microsoft.AspNetCore.RateLimiting;

namespace Feedback.Host.Api;

/// <summary>
/// A per-client-IP limit on the anonymous posts: intake (<c>POST /api/feedback</c>, the form <c>POST /feedback</c>)
/// and the mailed-link pages (<c>POST /l/{token}</c>). <c>Feedback:Intake:RateLimit</c> permits per
/// <c>Feedback:Intake:RateLimitWindow</c>; 0 turns the limit off (load tests). Refusals are 429 with Retry-After.
/// </summary>
internal static class PublicPostLimits
{
    /// <summary>The policy of the intake routes.</summary>
    public const string Intake = "public-intake";

    /// <summary>The policy of the mailed-link pages; counted apart from intake, so a customer's survey answer never waits on the form.</summary>
    public const string Links = "public-links";

    /// <summary>
    /// A customer sends feedback a few times at most; several customers behind one address (a mobile carrier, an
    /// office) stay well under this, while a script posting in a loop is stopped within a minute.
    /// </summary>
    public const int DefaultPermits = 30;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    /// <exception cref="InvalidOperationException">A setting is not a valid value.</exception>
    public static IServiceCollection AddPublicPostLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = Permits(configuration["Feedback:Intake:RateLimit"]);
        var window = Window(configuration["Feedback:Intake:RateLimitWindow"]);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, ct) => RejectAsync(context.HttpContext, context.Lease, ct);
            options.AddPolicy(Intake, http => Partition(http, permits, window));
            options.AddPolicy(Links, http => Partition(http, permits, window));
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, int permits, TimeSpan window)
    {
        if (permits == 0) return RateLimitPartition.GetNoLimiter("off");
        // Without an address (a Unix socket behind a proxy) all such requests share one allowance rather than none.
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
        });
    }

    /// <summary>The API gets problem+json with an <c>errors</c> list; the pages a page in the reader's language. Both say when to try again.</summary>
    private static async ValueTask RejectAsync(HttpContext http, RateLimitLease lease, CancellationToken ct)
    {
        var seconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : (int)DefaultWindow.TotalSeconds;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many submissions from this address; try again in {seconds} seconds.";
        if (http.Request.Path.StartsWithSegments("/api"))
            await ApiExceptionHandler.WriteProblemAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests.", [message], ct);
        else
            await LinkPages.Problem(http, "problem.busy", StatusCodes.Status429TooManyRequests,
                Pages.Shared.PageTexts.Format("problem.busy.wait", Pages.Shared.PageLanguage.Choose(http.Request), seconds)).ExecuteAsync(http);
    }

    private static int Permits(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return DefaultPermits;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1_000_000 ? n
            : throw new InvalidOperationException($"Feedback:Intake:RateLimit is '{text}'; use a whole number of submissions per window per client address, 0 to turn the limit off.");
    }

    private static TimeSpan Window(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return DefaultWindow;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var window) && window >= TimeSpan.FromSeconds(1) && window <= TimeSpan.FromDays(1) ? window
            : throw new InvalidOperationException($"Feedback:Intake:RateLimitWindow is '{text}'; use a time span from 00:00:01 to 1.00:00:00, e.g. 00:01:00.");
    }
}
