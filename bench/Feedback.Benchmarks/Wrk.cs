using System.Diagnostics;
using System.Text.Json;

namespace Feedback.Benchmarks;

/// <summary>What one wrk run reported (through <c>Wrk/common.lua</c>): counts by answer, socket errors, latency percentiles.</summary>
internal sealed record WrkResult(
    long Requests, long DurationUs, long Bytes, long Ok, long Other, int FirstOther,
    long Connect, long Read, long Write, long Timeout, long P50Us, long P90Us, long P99Us, long MaxUs, double MeanUs)
{
    public double PerSecond => Requests / (DurationUs / 1e6);

    /// <summary>Answers other than 2xx/3xx plus socket errors and time-outs.</summary>
    public long Errors => Other + Connect + Read + Write + Timeout;
}

/// <summary>Runs the <c>wrk</c> load generator (Debian package <c>wrk</c>) with one of the scripts in <c>Wrk/</c>.</summary>
internal static class Wrk
{
    private const string Marker = "BENCH-WRK ";

    /// <summary>The folder of the Lua scripts, read from the repository like the text mix.</summary>
    public static string ScriptFolder => Path.Combine(Repository.Root, "bench", "Feedback.Benchmarks", "Wrk");

    /// <exception cref="BenchmarkException">wrk is not installed.</exception>
    public static string Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "wrk"))) return Path.Combine(dir, "wrk");
        throw new BenchmarkException("wrk not found on PATH: install the Debian package 'wrk' (./scripts/bench.sh does when run as root)");
    }

    /// <summary>
    /// One closed-loop run: <paramref name="connections"/> connections on min(2, connections) threads for
    /// <paramref name="duration"/>, each request made by <paramref name="script"/>; <paramref name="environment"/> is
    /// what the script reads. Requests not answered within 10 s count as time-outs.
    /// </summary>
    /// <exception cref="BenchmarkException">wrk failed or printed no result.</exception>
    public static async Task<WrkResult> RunAsync(string wrk, Uri baseAddress, string script, int connections, TimeSpan duration,
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        var threads = Math.Min(2, connections);
        var info = new ProcessStartInfo(wrk,
            ["-t", threads.ToString(), "-c", connections.ToString(), "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s", "--timeout", "10s",
             "-s", Path.Combine(ScriptFolder, script), baseAddress.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["BENCH_WRK_LIB"] = Path.Combine(ScriptFolder, "common.lua");
        foreach (var (name, value) in environment) info.Environment[name] = value;

        using var process = Process.Start(info) ?? throw new BenchmarkException("could not start wrk");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new BenchmarkException($"wrk {script} exited with {process.ExitCode} and no result:\n{output}\n{await stderr}");
        return JsonSerializer.Deserialize<WrkResult>(line[Marker.Length..], new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new BenchmarkException($"wrk printed an empty result: {line}");
    }
}
