using System.Diagnostics;

namespace Feedback.Benchmarks;

/// <summary>One load phase's outcome: successes, failures, wall time and per-request latencies.</summary>
internal sealed record LoadResult(int Succeeded, int Failed, TimeSpan Elapsed, double[] LatenciesMs, double[] ServiceMs, IReadOnlyList<string> FirstErrors)
{
    public double PerSecond => Succeeded / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentile of <see cref="LatenciesMs"/> (successful requests only).</summary>
    public double Percentile(double p) => Percentile(LatenciesMs, p);

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <exception cref="BenchmarkException">Any request failed: a figure from a run with errors would flatter or mislead.</exception>
    public LoadResult ThrowOnErrors(string phase)
    {
        if (Failed > 0)
            throw new BenchmarkException($"{phase}: {Failed} of {Succeeded + Failed} requests failed; first: {string.Join(" | ", FirstErrors)}");
        return this;
    }
}

/// <summary>
/// Drives an operation (null = success, else the error) from many clients. Both loops are bounded in count and time,
/// so a stalled system ends the run instead of hanging it.
/// </summary>
internal static class Load
{
    /// <summary>Closed loop: <paramref name="clients"/> callers, each sending its next request when the last one answered.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(int clients, TimeSpan duration, int maxCount, Func<int, Task<string?>> operation)
    {
        var recorder = new Recorder();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= maxCount) break;
                var sent = clock.Elapsed;
                var error = await Invoke(operation, index);
                var answered = clock.Elapsed;
                recorder.Record(answered - sent, answered - sent, error);
            }
        }));
        await Task.WhenAll(callers);
        return recorder.Result(clock.Elapsed);
    }

    /// <summary>
    /// Open loop: request i is due at i / <paramref name="rate"/> seconds whatever happened to earlier ones. Latency is
    /// counted from the due time, so a server that falls behind shows it instead of slowing the sender down
    /// (coordinated omission); the service time from the actual send is kept apart.
    /// </summary>
    public static async Task<LoadResult> FixedRateAsync(double rate, int count, TimeSpan maxDuration, int maxInFlight, Func<int, Task<string?>> operation)
    {
        var recorder = new Recorder();
        var clock = Stopwatch.StartNew();
        using var inFlight = new SemaphoreSlim(maxInFlight);
        var requests = new List<Task>(count);
        var i = 0;
        for (; i < count && clock.Elapsed < maxDuration; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            await inFlight.WaitAsync();
            var index = i;
            requests.Add(Task.Run(async () =>
            {
                try
                {
                    var sent = clock.Elapsed;
                    var error = await Invoke(operation, index);
                    var answered = clock.Elapsed;
                    recorder.Record(answered - due, answered - sent, error);
                }
                finally { inFlight.Release(); }
            }));
        }
        // Requests never sent because the server fell too far behind count as failures, not as silence.
        for (; i < count; i++) recorder.Record(TimeSpan.Zero, TimeSpan.Zero, $"not sent within {maxDuration.TotalSeconds:0} s");
        await Task.WhenAll(requests);
        return recorder.Result(clock.Elapsed);
    }

    private static async Task<string?> Invoke(Func<int, Task<string?>> operation, int index)
    {
        try { return await operation(index); }
        catch (Exception e) { return $"{e.GetType().Name}: {e.Message}"; }
    }

    /// <summary>Collects results from concurrent callers.</summary>
    private sealed class Recorder
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _service = [];
        private readonly List<string> _errors = [];
        private int _failed;

        public void Record(TimeSpan latency, TimeSpan service, string? error)
        {
            lock (this)
            {
                if (error is null)
                {
                    _latencies.Add(latency.TotalMilliseconds);
                    _service.Add(service.TotalMilliseconds);
                    return;
                }
                _failed++;
                if (_errors.Count < 3) _errors.Add(error);
            }
        }

        public LoadResult Result(TimeSpan elapsed)
        {
            lock (this)
            {
                var latencies = _latencies.ToArray();
                var service = _service.ToArray();
                Array.Sort(latencies);
                Array.Sort(service);
                return new LoadResult(latencies.Length, _failed, elapsed, latencies, service, _errors.ToList());
            }
        }
    }
}
