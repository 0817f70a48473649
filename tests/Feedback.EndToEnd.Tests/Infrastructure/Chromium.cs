using System.Diagnostics;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, which the browser tests drive (Playwright downloads no browser here). When it is missing and
/// this process may install it (root with apt-get), it is installed; only when that is impossible are the tests skipped.
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

    private static readonly Lazy<string?> Unavailable = new(EnsureInstalled);

    /// <summary>Why the browser tests cannot run here, or null when Chromium is (now) installed.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    private static string? EnsureInstalled()
    {
        if (File.Exists(ExecutablePath)) return null;
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
            return $"Chromium is not installed at {ExecutablePath}, and this process cannot install it (that needs root and apt-get). " +
                   "Install it with 'apt-get install -y chromium' to run the Studio browser tests.";
        var log = Run("apt-get", "install -y --no-install-recommends chromium");
        if (!File.Exists(ExecutablePath)) log += Run("apt-get", "update") + Run("apt-get", "install -y --no-install-recommends chromium");
        return File.Exists(ExecutablePath) ? null
            : $"Chromium is not installed at {ExecutablePath} and 'apt-get install -y chromium' did not install it. Last output: {Tail(log)}";
    }

    private static string Run(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return $"{file} {arguments} did not finish within 10 minutes.\n";
        }
        return output.Result + error.Result;
    }

    private static string Tail(string text) => text.Length <= 600 ? text : text[^600..];
}

/// <summary>A fact that needs Chromium: it runs when Chromium is present or installable, and is skipped with the reason otherwise.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.UnavailableReason is { } reason) Skip = reason;
    }
}
