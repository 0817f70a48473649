namespace Feedback.Benchmarks;

/// <summary>The benchmarks this runner knows, by name.</summary>
internal static class Benchmarks
{
    public static readonly string[] Names = ["classifier", "intake", "resume", "reports", "timers", "http", "memory", "outbox", "drill"];

    public const string Usage = """
        usage: dotnet run --project bench/Feedback.Benchmarks -c Release -- <benchmark> [options]

          classifier   texts/s of FeedbackClassifier.Default against a naive substring scan of the same texts
                       --seconds 1  (per round)  --rounds 5
          intake       cases/s from POST /api/feedback to the first staff task, against pgbench inserts/s
                       --clients 8  --seconds 30  --count 20000  --warmup-seconds 5  --pgbench-seconds 15
          resume       task completions/s and latency through POST /api/tasks/{id}/complete
                       --clients 8  --cases 500 (closed loop, 4 tasks each)  --seconds 60 (its time bound)
                       --rate 200  --rate-seconds 15  --warmup-cases 500 (4 completions each, unmeasured)
          reports      the monthly report over generated cases (three years, in the database)
                       --cases 1000000  --rounds 5
          timers       lateness, misses and duplicates of workflow timers with many others pending in Quartz's store
                       --pending 100000  --timers 2000  --window-seconds 60  --lead-seconds 15  --grace-seconds 30
                       --hosts 1 (host processes sharing the clustered store)
          http         the intake API, the signed task pages and the form page under wrk: throughput, p50/p99, errors
                       --min-connections 2  --max-connections 32 (x4 steps)  --seconds 15 (per run)  --cases 300 (task links)
          memory       the host's memory idle and after resuming a sample, with many suspended instances against ~0
                       --instances 100000  --sample 200  --settle-seconds 15
          outbox       mails/s the outbox delivers over SMTP from a queued backlog, per number of delivery loops
                       --mails 5000  --loops 1,4  --timeout-seconds 300
          drill        fault drill: hosts killed (SIGKILL) and PostgreSQL stopped while cases flow; nothing lost or doubled
                       --hosts 3  --cases 1000  --kills 20  --clients 12  --kill-min-seconds 3  --kill-max-seconds 8
                       --pg-outage-seconds 8 (0: none)  --pg-outage-after-kills 2  --timer-every-seconds 0.5  --max-seconds 600  --settle-seconds 90  --seed n

        intake, resume, reports, timers, http, memory, outbox and drill read FEEDBACK_BENCH_POSTGRES, a superuser connection string to the "postgres" database
        of a disposable cluster (scripts/bench.sh starts one); pgbench is taken from FEEDBACK_PGBENCH, PATH or
        /usr/lib/postgresql/*/bin.
        """;

    public static Task<int> RunAsync(string name, BenchOptions options) => name switch
    {
        "classifier" => ClassifierBenchmark.RunAsync(options),
        "intake" => IntakeBenchmark.RunAsync(options),
        "resume" => ResumeBenchmark.RunAsync(options),
        "reports" => ReportsBenchmark.RunAsync(options),
        "timers" => TimersBenchmark.RunAsync(options),
        "http" => HttpBenchmark.RunAsync(options),
        "memory" => MemoryBenchmark.RunAsync(options),
        "outbox" => OutboxBenchmark.RunAsync(options),
        "drill" => DrillBenchmark.RunAsync(options),
        _ => throw new BenchmarkException($"unknown benchmark '{name}'"),
    };
}

/// <summary>A benchmark could not run or its run was invalid (errors, missing tools); the message says why.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
