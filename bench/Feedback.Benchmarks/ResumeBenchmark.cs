namespace Feedback.Benchmarks;

/// <summary>
/// Task completions through <c>POST /api/tasks/{id}/complete</c>: the most a closed loop of clients gets through, and
/// the latency at a fixed arrival rate, on the shipped process with the example organisation.
/// </summary>
/// <remarks>
/// Cases are prepared through intake first. Each case then yields its real sequence of tasks (plan, rectification,
/// head review, desk review; the last completion also sends the reply and finishes the workflow), one round per step:
/// the open tasks are listed between rounds, outside the measured time. The throughput and the fixed-rate phases work
/// on separate cases, so both see the same mix of steps.
/// </remarks>
internal static class ResumeBenchmark
{
    private const double TargetRate = 200;
    private const double TargetP99Ms = 50;
    private const int StepsPerCase = 4;
    // Below the host's connection pool (100, two per request at most), so that overload queues here, where it is
    // counted from the due time, instead of failing in the host as pool time-outs.
    private const int MaxInFlight = 32;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var clients = options.Int("clients", 8);
        var throughputCases = options.Int("cases", 500);
        var closedLimit = options.Seconds("seconds", 60);
        var rate = options.Double("rate", TargetRate, 1);
        var rateDuration = options.Seconds("rate-seconds", 15);
        var topStatements = options.Int("statements", 0, min: 0);
        var warmupCases = options.Int("warmup-cases", 500, min: 1);
        options.RejectUnknown();
        var rateCases = (int)Math.Ceiling(rate * rateDuration.TotalSeconds / StepsPerCase);

        await using var session = await BenchSession.StartAsync();
        var intake = new IntakeClient(session.Host.Public, FeedbackMix.Load());
        var tasks = await TaskClient.CreateAsync(session.Host.Staff);

        BenchSession.Progress($"preparing {warmupCases + throughputCases + rateCases} cases through intake");
        // Two warm-up groups, each followed by a pause: see BenchSession.SettleJitAsync.
        var warmups = new[] { await PrepareAsync(intake, clients, warmupCases / 2), await PrepareAsync(intake, clients, warmupCases - warmupCases / 2) };
        var closedGroup = await PrepareAsync(intake, clients, throughputCases);
        var rateGroup = await PrepareAsync(intake, clients, rateCases);
        await session.DrainOutboxAsync(TimeSpan.FromSeconds(60));
        await session.Database.AnalyzeAsync();

        var warmedUp = 0;
        foreach (var group in warmups)
        {
            BenchSession.Progress($"warm-up: {group.Count * StepsPerCase} completions");
            warmedUp += (await RoundsAsync(tasks, group, closedLimit, tolerateErrors: false,
                (open, left) => Load.ClosedLoopAsync(clients, left, open.Count, i => tasks.CompleteAsync(open[i])))).Succeeded;
            await session.SettleJitAsync(TimeSpan.FromSeconds(30));
        }

        BenchSession.Progress($"throughput: {clients} clients, {throughputCases * StepsPerCase} completions");
        var counting = await StatementCounts.ResetAsync(session.Database);
        var writes0 = await session.Database.WriteCountersAsync();
        var cpu0 = session.Cpu.Take();
        var closed = await RoundsAsync(tasks, closedGroup, closedLimit, tolerateErrors: false,
            (open, left) => Load.ClosedLoopAsync(clients, left, open.Count, i => tasks.CompleteAsync(open[i])));
        var cpu = CpuMeter.Between(cpu0, session.Cpu.Take());
        var writes1 = await session.Database.WriteCountersAsync();
        var statements = counting ? await StatementCounts.ReadAsync(session.Database) : null;
        var top = counting && topStatements > 0 ? await StatementCounts.TopAsync(session.Database, topStatements) : [];
        await session.DrainOutboxAsync(TimeSpan.FromSeconds(60));

        BenchSession.Progress($"fixed rate: {rate:0} completions/s, {rateCases * StepsPerCase} completions");
        // Errors here are a result, not a broken run: a server past its limit may fail requests, and the report says so.
        // The phase may take twice its nominal time plus a little per round; past that the target is missed anyway.
        var pacedCpu0 = session.Cpu.Take();
        var paced = await RoundsAsync(tasks, rateGroup, rateDuration * 2 + TimeSpan.FromSeconds(5 * StepsPerCase), tolerateErrors: true,
            (open, left) => Load.FixedRateAsync(rate, open.Count, left, MaxInFlight, i => tasks.CompleteAsync(open[i])));

        var pacedCpu = CpuMeter.Between(pacedCpu0, session.Cpu.Take());
        var answered = warmedUp + closed.Succeeded + paced.Succeeded;
        var stored = Convert.ToInt64(await session.Database.ScalarAsync("SELECT count(*) FROM feedback_tasks WHERE status = 'Completed'"));
        if (stored != answered) throw new BenchmarkException($"{answered} completions were answered 200 but {stored} tasks are stored as completed");

        var completions = closed.Succeeded;
        if (top.Count > 0)
        {
            Console.WriteLine($"## resume: the {top.Count} statements that took the most time of the closed loop, calls and milliseconds per completion");
            foreach (var (calls, ms, query) in top)
                Console.WriteLine($"{calls / (double)completions,8:0.00} {ms / completions,8:0.000}  {(query.Length > 150 ? query[..150] + "…" : query)}");
            Console.WriteLine();
        }
        var metRate = paced.PerSecond >= rate * 0.95;
        new Report("resume")
            .Add("postgres", "PostgreSQL", session.ServerVersion)
            .Add("steps", "tasks per case (all completed)", "plan, rectify, head review, desk review")
            .Add("clients", "closed loop: concurrent clients", clients, "", 0)
            .Add("completions", "closed loop: completions", completions, $"in {closed.Elapsed.TotalSeconds:0.0} s", 0)
            .Add("completionsPerSecond", "closed loop: throughput", closed.PerSecond, "completions/s")
            .Add("closedP50Ms", "closed loop: latency p50", closed.Percentile(50), "ms")
            .Add("closedP99Ms", "closed loop: latency p99", closed.Percentile(99), "ms")
            .Add("rate", "fixed rate: offered", rate, "requests/s", 0)
            .Add("rateAchieved", "fixed rate: achieved", paced.PerSecond, "completions/s")
            .Add("rateCompletions", "fixed rate: completions", paced.Succeeded, $"in {paced.Elapsed.TotalSeconds:0.0} s, at most {MaxInFlight} in flight", 0)
            .Add("rateFailed", "fixed rate: failed requests", paced.Failed, paced.FirstErrors.FirstOrDefault() ?? "", 0)
            .Add("rateP50Ms", "fixed rate: latency p50 (from due time)", paced.Percentile(50), "ms")
            .Add("rateP99Ms", "fixed rate: latency p99 (from due time)", paced.Percentile(99), "ms")
            .Add("rateMaxMs", "fixed rate: latency max (from due time)", paced.LatenciesMs.LastOrDefault(double.NaN), "ms")
            .Add("rateServiceP99Ms", "fixed rate: service time p99 (from actual send)", LoadResult.Percentile(paced.ServiceMs, 99), "ms")
            .Add("rateHostCpuMs", "fixed rate: host CPU per completion", pacedCpu.Host * 1000 / Math.Max(1, paced.Succeeded), "ms", 2)
            .Add("rateHostJitCpuMs", "fixed rate: of which the JIT's background re-compilation", (pacedCpu.HostJit ?? double.NaN) * 1000 / Math.Max(1, paced.Succeeded), "ms", 2)
            .Add("ratePostgresCpuMs", "fixed rate: PostgreSQL CPU per completion", (pacedCpu.Postgres ?? double.NaN) * 1000 / Math.Max(1, paced.Succeeded), "ms", 2)
            .Target("target", $"task completion p99 under {TargetP99Ms:0} ms at {TargetRate:0} requests per second",
                rate >= TargetRate && metRate && paced.Failed == 0 && paced.Percentile(99) < TargetP99Ms)
            .Add("statementsPerCompletion", "profile: SQL statements per completion", Per(statements?.All, completions), "", 1)
            .Add("connectionResetsPerCompletion", "profile: of which pooled connection resets (DISCARD ALL)", Per(statements?.ConnectionResets, completions), "", 1)
            .Add("savepointsPerCompletion", "profile: of which SAVEPOINT / RELEASE", Per(statements?.Savepoints, completions), "", 1)
            .Add("commitsPerCompletion", "profile: explicit COMMITs per completion", Per(statements?.Commits, completions), "", 2)
            .Add("transactionIdsPerCompletion", "profile: transaction ids per completion (incl. savepoints)", (writes1.Transactions - writes0.Transactions) / (double)completions, "", 2)
            .Add("walBytesPerCompletion", "profile: WAL per completion", (writes1.WalBytes - writes0.WalBytes) / (double)completions, "bytes", 0)
            .Add("hostCpuMsPerCompletion", "profile: host CPU per completion", cpu.Host * 1000 / completions, "ms", 2)
            .Add("hostJitCpuMsPerCompletion", "profile: of which the JIT's background re-compilation", (cpu.HostJit ?? double.NaN) * 1000 / completions, "ms", 2)
            .Add("postgresCpuMsPerCompletion", "profile: PostgreSQL CPU per completion", (cpu.Postgres ?? double.NaN) * 1000 / completions, "ms", 2)
            .Add("cpuUtilization", "profile: share of all cores used by host, PostgreSQL, load generator", (cpu.Utilization ?? double.NaN) * 100, "%", 0)
            .Add("stateBytes", "profile: workflow state JSON per finished instance", await session.MeanStateBytesAsync(), "bytes", 0)
            .Print();
        return 0;
    }

    private static double Per(long? count, long of) => count is { } n ? n / (double)of : double.NaN;

    /// <summary>Creates <paramref name="count"/> cases and returns their numbers.</summary>
    private static async Task<HashSet<string>> PrepareAsync(IntakeClient intake, int clients, int count)
    {
        intake.Created.Clear();
        (await Load.ClosedLoopAsync(clients, TimeSpan.FromMinutes(3), count, intake.SubmitAsync)).ThrowOnErrors("preparation");
        return intake.Created.ToHashSet();
    }

    /// <summary>
    /// One round per step: list the group's open tasks, complete them all with <paramref name="run"/>, repeat until
    /// none is left or <paramref name="budget"/> is spent (<paramref name="run"/> gets what is left of it). Returns
    /// the rounds' results as one (listing time excluded). A task that failed stays open and is tried again in the
    /// next round; the round limit keeps that bounded.
    /// </summary>
    private static async Task<LoadResult> RoundsAsync(TaskClient tasks, HashSet<string> cases, TimeSpan budget, bool tolerateErrors,
        Func<List<OpenTask>, TimeSpan, Task<LoadResult>> run)
    {
        var results = new List<LoadResult>();
        var spent = TimeSpan.Zero;
        for (var round = 0; round < StepsPerCase + 2 && spent < budget; round++)
        {
            var open = await tasks.OpenTasksAsync(cases);
            if (open.Count == 0) break;
            var result = await run(open, budget - spent);
            spent += result.Elapsed;
            results.Add(tolerateErrors ? result : result.ThrowOnErrors($"round {round + 1}"));
        }
        var latencies = results.SelectMany(r => r.LatenciesMs).Order().ToArray();
        var service = results.SelectMany(r => r.ServiceMs).Order().ToArray();
        return new LoadResult(latencies.Length, results.Sum(r => r.Failed), TimeSpan.FromTicks(results.Sum(r => r.Elapsed.Ticks)),
            latencies, service, results.SelectMany(r => r.FirstErrors).Take(3).ToList());
    }
}
