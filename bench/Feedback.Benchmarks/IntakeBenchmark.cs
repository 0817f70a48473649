using System.Diagnostics;
using System.Text.Json.Nodes;
using Feedback.Activities.Classification;

namespace Feedback.Benchmarks;

/// <summary>
/// Cases per second from <c>POST /api/feedback</c> through classification and assignment to the first staff task,
/// with the shipped general-feedback process and the example organisation on PostgreSQL, as a ratio against pgbench's
/// single-row insert rate on the same cluster in the same run.
/// </summary>
/// <remarks>
/// Intake answers 201 once the case is committed and the workflow's first burst (acknowledgement, classification,
/// assignment, first task) has committed too, so a closed loop of clients measures exactly that path. pgbench runs
/// once before and once after the intake phase; their mean is the baseline, and the two figures show the drift.
/// </remarks>
internal static class IntakeBenchmark
{
    private const double TargetRatio = 0.30;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var clients = options.Int("clients", 8);
        var duration = options.Seconds("seconds", 30);
        var maxCount = options.Int("count", 20_000);
        var warmup = options.Seconds("warmup-seconds", 15);
        var pgbenchDuration = options.Seconds("pgbench-seconds", 15);
        var topStatements = options.Int("statements", 0, min: 0);
        options.RejectUnknown();

        await using var session = await BenchSession.StartAsync();
        var db = session.Database;
        var intake = new IntakeClient(session.Host.Public, FeedbackMix.Load());

        // Two halves, each followed by a pause (see BenchSession.SettleJitAsync); the last pause also keeps the JIT off
        // the cores pgbench measures on.
        for (var half = 0; half < 2; half++)
        {
            BenchSession.Progress($"warm-up: {clients} clients, {warmup.TotalSeconds / 2:0} s");
            (await Load.ClosedLoopAsync(clients, warmup / 2, int.MaxValue, intake.SubmitAsync)).ThrowOnErrors("warm-up");
            await session.DrainOutboxAsync(TimeSpan.FromSeconds(30));
            if (half == 1) await db.AnalyzeAsync();
            await session.SettleJitAsync(TimeSpan.FromSeconds(30));
        }

        var before = await session.PgBenchAsync(clients, pgbenchDuration);

        BenchSession.Progress($"intake: {clients} clients, up to {duration.TotalSeconds:0} s or {maxCount} cases");
        var casesBefore = await CountAsync(db, "feedback_cases");
        var counting = await StatementCounts.ResetAsync(db);
        var writes0 = await db.WriteCountersAsync();
        var cpu0 = session.Cpu.Take();
        var run = (await Load.ClosedLoopAsync(clients, duration, maxCount, intake.SubmitAsync)).ThrowOnErrors("intake");
        var cpu = CpuMeter.Between(cpu0, session.Cpu.Take());
        var writes1 = await db.WriteCountersAsync();
        var statements = counting ? await StatementCounts.ReadAsync(db) : null;
        var top = counting && topStatements > 0 ? await StatementCounts.TopAsync(db, topStatements) : [];
        var backlog = await session.PendingOutboxAsync();
        var drained = await session.DrainOutboxAsync(TimeSpan.FromSeconds(60));

        var after = await session.PgBenchAsync(clients, pgbenchDuration);

        var cases = (await CountAsync(db, "feedback_cases")) - casesBefore;
        if (cases != run.Succeeded) throw new BenchmarkException($"{run.Succeeded} submissions answered 201 but {cases} cases were stored");
        // Checked, not assumed: every case must have reached its first staff task.
        var withoutTask = await CountAsync(db, "feedback_cases c WHERE NOT EXISTS (SELECT 1 FROM feedback_tasks t WHERE t.case_number = c.number AND t.status = 'Open')");
        if (withoutTask > 0) throw new BenchmarkException($"{withoutTask} cases have no open staff task after intake");
        var allCases = await CountAsync(db, "feedback_cases");

        var pgbenchTps = (before.Tps + after.Tps) / 2;
        var rate = run.PerSecond;
        var ratio = rate / pgbenchTps;
        var classifyMicroseconds = ClassificationCost();

        if (top.Count > 0)
        {
            Console.WriteLine($"## intake: the {top.Count} statements that took the most time, calls and milliseconds per case");
            foreach (var (calls, ms, query) in top)
                Console.WriteLine($"{calls / (double)cases,8:0.00} {ms / cases,8:0.000}  {(query.Length > 150 ? query[..150] + "…" : query)}");
            Console.WriteLine();
        }

        new Report("intake")
            .Add("postgres", "PostgreSQL", session.ServerVersion)
            .Add("clients", "concurrent clients (intake and pgbench)", clients, "", 0)
            .Add("mix", "texts used (classifier confident) / in the set", $"{intake.MixCount} / {intake.SampleCount}")
            .Add("cases", "cases measured", run.Succeeded, $"in {run.Elapsed.TotalSeconds:0.0} s", 0)
            .Add("casesPerSecond", "intake to first staff task", rate, "cases/s")
            .Add("latencyP50Ms", "request latency p50", run.Percentile(50), "ms")
            .Add("latencyP99Ms", "request latency p99", run.Percentile(99), "ms")
            .Add("pgbenchBeforeTps", "pgbench single-row INSERT, before", before.Tps, "tx/s", 0)
            .Add("pgbenchAfterTps", "pgbench single-row INSERT, after", after.Tps, "tx/s", 0)
            .Add("ratio", "intake / pgbench (mean of both)", ratio, "", 3)
            .Target("target", "intake to first staff task at least 30% of the same run's pgbench insert rate", ratio >= TargetRatio)
            .Add("statementsPerCase", "profile: SQL statements per case", PerCase(statements?.All, cases), "", 1)
            .Add("connectionResetsPerCase", "profile: of which pooled connection resets (DISCARD ALL)", PerCase(statements?.ConnectionResets, cases), "", 1)
            .Add("savepointsPerCase", "profile: of which SAVEPOINT / RELEASE", PerCase(statements?.Savepoints, cases), "", 1)
            .Add("writesPerCase", "profile: of which INSERT / UPDATE / DELETE", PerCase(statements?.Writes, cases), "", 1)
            .Add("commitsPerCase", "profile: explicit COMMITs per case", PerCase(statements?.Commits, cases), "", 2)
            .Add("transactionIdsPerCase", "profile: transaction ids per case (incl. savepoints)", (writes1.Transactions - writes0.Transactions) / (double)cases, "", 2)
            .Add("walBytesPerCase", "profile: WAL per case", (writes1.WalBytes - writes0.WalBytes) / (double)cases, "bytes", 0)
            .Add("hostCpuMsPerCase", "profile: host CPU per case", cpu.Host * 1000 / cases, "ms", 2)
            .Add("hostJitCpuMsPerCase", "profile: of which the JIT's background re-compilation", (cpu.HostJit ?? double.NaN) * 1000 / cases, "ms", 2)
            .Add("postgresCpuMsPerCase", "profile: PostgreSQL CPU per case", (cpu.Postgres ?? double.NaN) * 1000 / cases, "ms", 2)
            .Add("clientCpuMsPerCase", "profile: load generator CPU per case", cpu.Client * 1000 / cases, "ms", 2)
            .Add("cpuUtilization", "profile: share of all cores used by host, PostgreSQL, load generator", (cpu.Utilization ?? double.NaN) * 100, "%", 0)
            .Add("postgresCpuMsPerInsert", "profile: PostgreSQL CPU per pgbench insert", (before.Cpu.Postgres ?? double.NaN) * 1000 / (before.Tps * before.Cpu.WallSeconds), "ms", 3)
            .Add("classifyMicroseconds", "profile: classification per text (this machine)", classifyMicroseconds, "µs")
            .Add("classifyShareOfHostCpu", "profile: classification share of host CPU per case", classifyMicroseconds / 10 / (cpu.Host * 1000 / cases), "%", 2)
            .Add("stateBytes", "profile: workflow state JSON per instance", await session.MeanStateBytesAsync(), "bytes", 0)
            .Add("journalRowsPerCase", "profile: journal rows per case", await CountAsync(db, "workflow_journal") / (double)allCases, "", 1)
            .Add("historyRowsPerCase", "profile: case history rows per case", await CountAsync(db, "feedback_case_history") / (double)allCases, "", 1)
            .Add("outboxBacklogAtEnd", "mail outbox backlog when the phase ended", backlog, "messages", 0)
            .Add("outboxDrainSeconds", "time to deliver that backlog", drained?.TotalSeconds ?? double.NaN, "s")
            .Print();
        return 0;
    }

    /// <summary>Microseconds per classification over the text mix, on one thread of this machine.</summary>
    private static double ClassificationCost()
    {
        var samples = FeedbackMix.Load();
        var classifier = FeedbackClassifier.Default;
        var clock = Stopwatch.StartNew();
        var texts = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1))
            foreach (var s in samples) { classifier.Classify(s.Text, s.Title); texts++; }
        return clock.Elapsed.TotalMicroseconds / texts;
    }

    private static double PerCase(long? count, long cases) => count is { } n ? n / (double)cases : double.NaN;

    private static async Task<long> CountAsync(BenchDatabase db, string from) => Convert.ToInt64(await db.ScalarAsync($"SELECT count(*) FROM {from}"));
}
