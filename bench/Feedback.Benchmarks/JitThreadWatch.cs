namespace Feedback.Benchmarks;

/// <summary>CPU seconds the host's JIT spent on its background thread, polled from /proc while the benchmark runs.</summary>
/// <remarks>
/// The runtime re-compiles hot methods (tier 1, profile-guided) on a thread named <c>.NET Tiered Compilation</c>
/// (/proc keeps its first 15 characters). That thread exits when it has been idle a few seconds and comes back with
/// new work, taking its CPU time with it, so one reading at each end of a phase would miss whole threads. Each
/// thread's last reading is kept instead; what a thread used between its last poll and its exit (at most one poll
/// interval) is not counted, so the figure is a lower bound. Unreadable /proc makes it unknown (null).
/// </remarks>
internal sealed class JitThreadWatch
{
    private const string ThreadName = ".NET Tiered Com";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private const double TicksPerSecond = 100;

    private readonly int pid;
    private readonly Dictionary<int, double> lastTicks = [];
    private readonly HashSet<int> otherThreads = [];
    private readonly Lock gate = new();
    private readonly Timer timer;
    private bool unreadable;

    public JitThreadWatch(int pid)
    {
        this.pid = pid;
        Poll();
        timer = new Timer(_ => Poll(), null, Interval, Interval);
    }

    /// <summary>CPU seconds so far, or null where /proc could not be read.</summary>
    public double? Seconds
    {
        get
        {
            Poll();
            lock (gate) return unreadable ? null : lastTicks.Values.Sum() / TicksPerSecond;
        }
    }

    private void Poll()
    {
        lock (gate)
        {
            IEnumerable<string> threads;
            try { threads = Directory.GetDirectories($"/proc/{pid}/task"); }
            catch (DirectoryNotFoundException) { return; } // the host exited; its last readings stand
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { unreadable = true; return; }
            foreach (var dir in threads)
            {
                if (!int.TryParse(Path.GetFileName(dir), out var tid) || otherThreads.Contains(tid)) continue;
                try
                {
                    // A thread's name is read once: the runtime names its threads when it starts them.
                    if (!lastTicks.ContainsKey(tid) && !File.ReadAllText(Path.Combine(dir, "comm")).TrimEnd('\n').Equals(ThreadName, StringComparison.Ordinal))
                    {
                        otherThreads.Add(tid);
                        continue;
                    }
                    if (CpuMeter.StatFields(Path.Combine(dir, "stat")) is { } fields)
                        lastTicks[tid] = CpuMeter.Tick(fields[11]) + CpuMeter.Tick(fields[12]);
                }
                catch (IOException) { } // the thread exited meanwhile
                catch (UnauthorizedAccessException) { unreadable = true; }
            }
        }
    }
}
