using System.Diagnostics;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>What the fault loop did: kills, and the PostgreSQL outage with each host's time to serve again.</summary>
internal sealed record FaultLog(int Kills, int Restarts, double OutageSeconds, IReadOnlyList<double> RecoverySeconds, bool HostsKeptRunning, string OutageNote);

/// <summary>
/// The drill's faults while traffic flows: SIGKILL of a random host at random moments, restarted on its port after a
/// short random delay, and once, halfway through the kills, PostgreSQL stopped for a few seconds and started again
/// (<c>pg_ctl</c>, as the cluster's owner) while the hosts are left alone to recover by themselves.
/// </summary>
internal sealed class DrillFaults(DrillCluster cluster, BenchDatabase database, Random random)
{
    /// <summary>Set by scripts/bench.sh, which owns the throw-away cluster: pg_ctl, its data folder, log and owner.</summary>
    public const string PgCtlVariable = "FEEDBACK_BENCH_PG_CTL";
    public const string PgDataVariable = "FEEDBACK_BENCH_PG_DATA";
    public const string PgLogVariable = "FEEDBACK_BENCH_PG_LOG";
    public const string PgAccountVariable = "FEEDBACK_BENCH_PG_ACCOUNT";

    private readonly List<Task> _restarts = [];
    private int _kills;

    public int Kills => Volatile.Read(ref _kills);

    private volatile bool _outageDone;

    /// <summary>Whether the PostgreSQL outage is behind (or was not asked for).</summary>
    public bool OutageDone => _outageDone;

    /// <summary>Whether this process can stop and start the cluster (the variables are set).</summary>
    public static bool CanStopPostgres =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PgCtlVariable)) && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PgDataVariable));

    /// <summary>
    /// Kills <paramref name="kills"/> hosts, one every <paramref name="minGap"/>..<paramref name="maxGap"/>, never the
    /// last one up; after <paramref name="outageAfter"/> kills, the PostgreSQL outage (when <paramref name="outage"/> is
    /// above zero). Stops early when <paramref name="trafficOver"/> says the traffic ended: a kill must meet traffic.
    /// </summary>
    public async Task<FaultLog> RunAsync(int kills, TimeSpan minGap, TimeSpan maxGap, TimeSpan outage, int outageAfter, Func<bool> trafficOver, CancellationToken stop)
    {
        var recovery = new List<double>();
        var kept = true;
        var note = outage > TimeSpan.Zero ? "" : "not asked for";
        _outageDone = outage <= TimeSpan.Zero;
        while ((Kills < kills || !_outageDone) && !trafficOver() && !stop.IsCancellationRequested)
        {
            await Task.Delay(Between(minGap, maxGap), stop);
            if (trafficOver()) break;
            if (!_outageDone && Kills >= Math.Min(outageAfter, kills))
            {
                if (!CanStopPostgres) note = $"skipped: {PgCtlVariable}/{PgDataVariable} not set (run through scripts/bench.sh)";
                else (recovery, kept) = await OutageAsync(outage, stop);
                _outageDone = true;
                continue;
            }
            var up = cluster.Slots.Where(s => s.IsUp).ToList();
            // Never the last host standing: a client must always have somewhere to go, as with a real pool of hosts.
            if (up.Count < 2) continue;
            DrillCluster.Slot victim;
            lock (random) victim = up[random.Next(up.Count)];
            BenchSession.Progress($"kill {Kills + 1}: SIGKILL host {victim.Index + 1} (pid {victim.Host?.Process.Id})");
            await cluster.KillAsync(victim);
            Interlocked.Increment(ref _kills);
            var delay = Between(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3));
            lock (_restarts) _restarts.Add(RestartAsync(victim, delay, stop));
        }
        Task[] pending;
        lock (_restarts) pending = _restarts.ToArray();
        await Task.WhenAll(pending);
        return new FaultLog(Kills, pending.Length, outage.TotalSeconds, recovery, kept, note);
    }

    private async Task RestartAsync(DrillCluster.Slot slot, TimeSpan delay, CancellationToken stop)
    {
        await Task.Delay(delay, stop);
        await cluster.StartAsync(slot, TimeSpan.FromMinutes(3), stop);
        BenchSession.Progress($"host {slot.Index + 1} back (pid {slot.Host?.Process.Id})");
    }

    /// <summary>
    /// Stops PostgreSQL (fast shutdown: sessions are cut, as when the server goes away), waits, starts it, then measures
    /// how long each host takes to answer a database-backed request again. No host is restarted for this fault.
    /// </summary>
    private async Task<(List<double> Recovery, bool Kept)> OutageAsync(TimeSpan outage, CancellationToken stop)
    {
        // The hosts serving now are the ones judged; a host still starting after a kill retries its start-up until the
        // server is back (that is a restart, so it is not counted as recovering by itself).
        var serving = cluster.Slots.Where(s => s.IsUp).Select(s => (Slot: s, Host: s.Host!)).ToList();

        BenchSession.Progress($"stopping PostgreSQL for {outage.TotalSeconds:0} s");
        await PgCtlAsync("stop", "-m", "fast");
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(outage, stop);
        await PgCtlAsync("start", "-l", Environment.GetEnvironmentVariable(PgLogVariable) ?? Path.Combine(Path.GetTempPath(), "drill-postgres.log"),
            "-o", $"-p {database.Settings.Port}");
        BenchSession.Progress("PostgreSQL started again; waiting for every host to serve");

        var clock = Stopwatch.StartNew();
        var recovery = new List<double>();
        foreach (var (slot, _) in serving)
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                try
                {
                    using var response = await slot.Staff.GetAsync("/api/tasks?status=Open&pageSize=1", stop);
                    if (response.IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) { /* not answering yet */ }
                await Task.Delay(200, stop);
            }
            recovery.Add(clock.Elapsed.TotalSeconds);
        }
        var kept = serving.All(s => s.Slot.Host == s.Host && !s.Host.Process.HasExited);
        BenchSession.Progress($"{serving.Count} hosts serving again after {string.Join(" / ", recovery.Select(r => r.ToString("0.0")))} s; same processes: {kept}");
        return (recovery, kept);
    }

    /// <exception cref="BenchmarkException">pg_ctl failed.</exception>
    private static async Task PgCtlAsync(params string[] args)
    {
        var pgCtl = Environment.GetEnvironmentVariable(PgCtlVariable)!;
        var data = Environment.GetEnvironmentVariable(PgDataVariable)!;
        var account = Environment.GetEnvironmentVariable(PgAccountVariable);
        // postgres refuses to run as root: run pg_ctl as the cluster's owner, from a folder it can read.
        var info = string.IsNullOrEmpty(account) ? new ProcessStartInfo(pgCtl) : new ProcessStartInfo("runuser", ["-u", account, "--", pgCtl]);
        foreach (var arg in new[] { "-D", data, "-w", "-t", "60" }.Concat(args)) info.ArgumentList.Add(arg);
        info.WorkingDirectory = Path.GetDirectoryName(data.TrimEnd('/')) ?? "/";
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new BenchmarkException("could not run pg_ctl");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new BenchmarkException($"pg_ctl {args[0]} failed ({process.ExitCode}): {await output}{await errors}");
    }

    private TimeSpan Between(TimeSpan min, TimeSpan max)
    {
        lock (random) return min + (max - min) * random.NextDouble();
    }
}
