namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, which the browser tests drive (Playwright downloads no browser here). Only detected: installing it
/// is scripts/test.sh's business (as root), never test discovery's. When it is missing the tests are skipped, and
/// test.sh counts a skipped test as a failure unless FEEDBACK_ALLOW_SKIPS=1.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Flags for a quiet, deterministic headless run inside containers.</summary>
    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Why the browser tests cannot run here, or null when Chromium is installed.</summary>
    public static string? UnavailableReason => File.Exists(ExecutablePath) ? null
        : $"Chromium is not installed at {ExecutablePath}; install the Debian package 'chromium' (scripts/test.sh does so when run as root) to run the Studio browser tests.";
}

/// <summary>A fact that needs Chromium: it runs when Chromium is installed, and is skipped with the reason otherwise.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.UnavailableReason is { } reason) Skip = reason;
    }
}
