using System.Diagnostics;
using System.Globalization;

namespace Feedback.Benchmarks;

/// <summary>CPU time used by the host, by PostgreSQL and by this load generator, between two snapshots.</summary>
/// <remarks>
/// On a machine this small the three compete for the same cores, so "where did the CPU go" is the first question
/// about any throughput figure. PostgreSQL's share is read from /proc: every child of the postmaster, plus the
/// postmaster's record of children that already exited. Where that is not possible it is reported as unknown.
/// The host's share also names the CPU of its JIT's background thread: while that thread still re-compiles hot
/// methods, the host is not yet in the steady state a long-running server is in, and a warm-up was too short.
/// </remarks>
internal sealed class CpuMeter(Process? host, int? postmasterPid)
{
    // Linux reports /proc times in clock ticks of 1/100 s on every common configuration.
    private const double TicksPerSecond = 100;

    private readonly JitThreadWatch? jit = host is null ? null : new JitThreadWatch(host.Id);

    /// <summary>CPU seconds so far, and the wall clock.</summary>
    public sealed record Snapshot(double Host, double? HostJit, double? Postgres, double Client, DateTime At);

    /// <summary>CPU used between two snapshots, in seconds, and over how long; <paramref name="HostJit"/> is part of <paramref name="Host"/>.</summary>
    public sealed record Usage(double Host, double? HostJit, double? Postgres, double Client, double WallSeconds)
    {
        /// <summary>Share of all cores in use: 1.0 means every core was busy the whole time.</summary>
        public double? Utilization => Postgres is { } pg ? (Host + pg + Client) / (WallSeconds * Environment.ProcessorCount) : null;
    }

    public Snapshot Take()
    {
        host?.Refresh();
        return new Snapshot(
            host?.TotalProcessorTime.TotalSeconds ?? 0,
            jit?.Seconds,
            postmasterPid is { } pid ? PostgresSeconds(pid) : null,
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            DateTime.UtcNow);
    }

    public static Usage Between(Snapshot before, Snapshot after) => new(
        after.Host - before.Host,
        after.HostJit - before.HostJit,
        after.Postgres - before.Postgres,
        after.Client - before.Client,
        (after.At - before.At).TotalSeconds);

    private static double? PostgresSeconds(int postmaster)
    {
        try
        {
            double ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                var fields = StatFields(pid);
                if (fields is null) continue;
                // After the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
                if (pid == postmaster) ticks += Tick(fields[11]) + Tick(fields[12]) + Tick(fields[13]) + Tick(fields[14]);
                else if (Tick(fields[1]) == postmaster) ticks += Tick(fields[11]) + Tick(fields[12]);
            }
            return ticks / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static string[]? StatFields(int pid) => StatFields($"/proc/{pid}/stat");

    internal static string[]? StatFields(string path)
    {
        try
        {
            var stat = File.ReadAllText(path);
            // The command name is in parentheses and may itself contain spaces or parentheses.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    internal static double Tick(string field) => double.Parse(field, CultureInfo.InvariantCulture);
}
