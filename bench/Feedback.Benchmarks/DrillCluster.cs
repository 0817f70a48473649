using System.Net.Http.Headers;

namespace Feedback.Benchmarks;

/// <summary>
/// The drill's host processes on one database: each slot keeps its loopback port across kills, so clients (which hold
/// one <see cref="HttpClient"/> per slot) find a restarted host where the killed one was, as behind a load balancer.
/// </summary>
internal sealed class DrillCluster : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly List<string> _errorLines = [];

    public DrillCluster(string connectionString, int hosts, IReadOnlyDictionary<string, string> environment)
    {
        _connectionString = connectionString;
        _environment = environment;
        Slots = Enumerable.Range(0, hosts).Select(i => new Slot(i, HostUnderTest.FreePort())).ToList();
        // A runner stopped from outside (SIGTERM, Ctrl+C) must not leave its hosts running against a dropped cluster.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private void KillAll()
    {
        foreach (var slot in Slots)
            if (slot.Host is { Process.HasExited: false } host)
                host.Process.Kill(entireProcessTree: true);
    }

    public IReadOnlyList<Slot> Slots { get; }

    private readonly List<double> _startSeconds = [];

    /// <summary>Host starts, first ones included.</summary>
    public int Starts { get { lock (_startSeconds) return _startSeconds.Count; } }

    /// <summary>The slowest start-up until ready, in seconds.</summary>
    public double SlowestStartSeconds { get { lock (_startSeconds) return _startSeconds.DefaultIfEmpty(double.NaN).Max(); } }

    /// <summary>The first error lines (<c>fail:</c>/<c>crit:</c>) the hosts logged, over every incarnation.</summary>
    public IReadOnlyList<string> ErrorLines { get { lock (_errorLines) return _errorLines.ToList(); } }

    public int ErrorCount { get; private set; }

    /// <summary>Starts every slot, one after another (each start-up publishes the shipped definitions).</summary>
    public async Task StartAllAsync(CancellationToken stop)
    {
        foreach (var slot in Slots) await StartAsync(slot, TimeSpan.FromMinutes(3), stop);
    }

    /// <summary>A slot whose host is up, chosen at random, avoiding <paramref name="avoid"/> when another is up.</summary>
    public Slot Pick(Random random, Slot? avoid = null)
    {
        var up = Slots.Where(s => s.IsUp && s != avoid).ToList();
        if (up.Count == 0) up = Slots.Where(s => s != avoid).ToList();
        if (up.Count == 0) up = Slots.ToList();
        lock (random) return up[random.Next(up.Count)];
    }

    /// <summary>SIGKILL of the slot's host (and any child it started): no shutdown, no flush, as a crash.</summary>
    public async Task KillAsync(Slot slot)
    {
        var host = slot.Host ?? throw new BenchmarkException($"host {slot.Index + 1} is not running");
        slot.Host = null;
        // Process.Kill sends SIGKILL on Linux.
        host.Process.Kill(entireProcessTree: true);
        await host.Process.WaitForExitAsync();
        Collect(host);
        await host.DisposeAsync();
    }

    /// <summary>Starts the slot's host on its port, trying again (e.g. while PostgreSQL is away) until <paramref name="within"/>.</summary>
    public async Task StartAsync(Slot slot, TimeSpan within, CancellationToken stop)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                slot.Host = await HostUnderTest.StartAsync(_connectionString, slot.Port, _environment, within);
                lock (_startSeconds) _startSeconds.Add(clock.Elapsed.TotalSeconds);
                return;
            }
            catch (BenchmarkException e) when (DateTime.UtcNow < until && !stop.IsCancellationRequested)
            {
                BenchSession.Progress($"host {slot.Index + 1} did not start, trying again: {IntakeClient.Shorten(e.Message)}");
                await Task.Delay(1000, stop);
            }
        }
    }

    private void Collect(HostUnderTest host)
    {
        var errors = host.Output.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        lock (_errorLines)
        {
            ErrorCount += errors.Count;
            // The line after "fail:" names the exception; keep the pair for the first few.
            var lines = host.Output.Split('\n');
            for (var i = 0; i < lines.Length && _errorLines.Count < 40; i++)
                if (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
                    _errorLines.Add(string.Join(" | ", lines.Skip(i).Take(3).Select(l => l.Trim())));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var slot in Slots)
        {
            if (slot.Host is { } host)
            {
                slot.Host = null;
                Collect(host);
                await host.DisposeAsync();
            }
            slot.Dispose();
        }
    }

    /// <summary>One host position: a fixed port, clients bound to it, and the host process currently serving it (if any).</summary>
    internal sealed class Slot : IDisposable
    {
        public Slot(int index, int port)
        {
            Index = index;
            Port = port;
            // New connections after a kill: a pooled connection to the dead process would only fail once more.
            var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), MaxConnectionsPerServer = 64, ConnectTimeout = TimeSpan.FromSeconds(3) };
            Public = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            Staff = new HttpClient(handler, disposeHandler: false) { BaseAddress = Public.BaseAddress, Timeout = Public.Timeout };
            Staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", HostUnderTest.ApiKey);
        }

        public int Index { get; }
        public int Port { get; }
        public HttpClient Public { get; }
        public HttpClient Staff { get; }

        private volatile HostUnderTest? _host;

        public HostUnderTest? Host { get => _host; set => _host = value; }
        public bool IsUp => _host is not null;

        public void Dispose()
        {
            Staff.Dispose();
            Public.Dispose();
        }
    }
}
