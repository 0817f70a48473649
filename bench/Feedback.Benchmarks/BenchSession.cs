using System.Diagnostics;

namespace Feedback.Benchmarks;

/// <summary>What the database-backed benchmarks share: a fresh database, the host on it, and the CPU meter.</summary>
internal sealed class BenchSession : IAsyncDisposable
{
    private BenchSession(BenchDatabase database, HostUnderTest host, CpuMeter cpu, string serverVersion)
    {
        Database = database;
        Host = host;
        Cpu = cpu;
        ServerVersion = serverVersion;
    }

    public BenchDatabase Database { get; }
    public HostUnderTest Host { get; }
    public CpuMeter Cpu { get; }
    public string ServerVersion { get; }

    public static async Task<BenchSession> StartAsync()
    {
        var database = await BenchDatabase.CreateAsync();
        try
        {
            var version = await database.ServerVersionAsync();
            Progress($"PostgreSQL {version}, database {database.Name}; starting the host");
            var host = await HostUnderTest.StartAsync(database.ConnectionString);
            return new BenchSession(database, host, new CpuMeter(host.Process, await database.PostmasterPidAsync()), version);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every outbox message (customer mail) is delivered, so that no phase pays for the previous one's.</summary>
    /// <returns>How long it took, or null when messages were still pending after <paramref name="timeout"/>.</returns>
    public async Task<TimeSpan?> DrainOutboxAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await PendingOutboxAsync() == 0) return clock.Elapsed;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>
    /// Waits, with no load, until the host's JIT has stopped re-compiling (its background thread used under 10 ms of
    /// CPU in the last second), at most <paramref name="timeout"/>, and says how long that took.
    /// </summary>
    /// <remarks>
    /// The runtime starts counting calls towards re-compiling a method only after 100 ms without compiling anything
    /// new. Under steady load rarely used code keeps being compiled for the first time, so the warm-up's methods wait,
    /// and a pause releases them all at once; a method then needs more calls, and another pause, for each further tier.
    /// Without pauses in the warm-up, that work fell into the measured phases: up to a fifth of the host's CPU there.
    /// A server in service has had such pauses many times over.
    /// </remarks>
    public async Task<TimeSpan?> SettleJitAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = Cpu.Take().HostJit;
        while (last is not null && clock.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = Cpu.Take().HostJit;
            if (now - last < 0.010)
            {
                Progress($"the JIT settled in {clock.Elapsed.TotalSeconds:0} s");
                return clock.Elapsed;
            }
            last = now;
        }
        Progress(last is null ? "the JIT's thread could not be read" : $"the JIT was still busy after {timeout.TotalSeconds:0} s");
        return null;
    }

    public async Task<long> PendingOutboxAsync() =>
        Convert.ToInt64(await Database.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL"));

    /// <summary>Mean size of the workflow state JSON, in bytes, over every instance in the database.</summary>
    public async Task<double> MeanStateBytesAsync() =>
        Convert.ToDouble(await Database.ScalarAsync("SELECT coalesce(avg(octet_length(state)), 0) FROM workflow_instances"));

    /// <summary>The pgbench baseline with the PostgreSQL CPU it cost.</summary>
    public async Task<(double Tps, CpuMeter.Usage Cpu)> PgBenchAsync(int clients, TimeSpan duration)
    {
        Progress($"pgbench: {clients} clients, {duration.TotalSeconds:0} s");
        var before = Cpu.Take();
        var tps = await PgBench.RunAsync(Database, clients, duration);
        return (tps, CpuMeter.Between(before, Cpu.Take()));
    }

    public async ValueTask DisposeAsync()
    {
        // Errors in the host's log may explain a bad figure or a failed run; its start-up warnings would only be noise.
        var output = Host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (output.Any(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)))
            Progress($"the host logged errors (last 60 lines):\n" + string.Join('\n', output.TakeLast(60)));
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Progress goes to stderr so that stdout holds only the table and the JSON line.</summary>
    public static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
