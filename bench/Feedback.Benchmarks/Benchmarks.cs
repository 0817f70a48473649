namespace Feedback.Benchmarks;

/// <summary>The benchmarks this runner knows, by name.</summary>
internal static class Benchmarks
{
    public static readonly string[] Names = ["classifier", "intake", "resume", "reports"];

    public const string Usage = """
        usage: dotnet run --project bench/Feedback.Benchmarks -c Release -- <benchmark> [options]

          classifier   texts/s of FeedbackClassifier.Default against a naive substring scan of the same texts
                       --seconds 1  (per round)  --rounds 5
          intake       cases/s from POST /api/feedback to the first staff task, against pgbench inserts/s
                       --clients 8  --seconds 30  --count 20000  --warmup-seconds 5  --pgbench-seconds 15
          resume       task completions/s and latency through POST /api/tasks/{id}/complete
                       --clients 8  --cases 500 (closed loop, 4 tasks each)  --seconds 60 (its time bound)
                       --rate 200  --rate-seconds 15
          reports      the monthly report over generated cases (three years, in the database)
                       --cases 1000000  --rounds 5

        intake, resume and reports read FEEDBACK_BENCH_POSTGRES, a superuser connection string to the "postgres" database
        of a disposable cluster (scripts/bench.sh starts one); pgbench is taken from FEEDBACK_PGBENCH, PATH or
        /usr/lib/postgresql/*/bin.
        """;

    public static Task<int> RunAsync(string name, BenchOptions options) => name switch
    {
        "classifier" => ClassifierBenchmark.RunAsync(options),
        "intake" => IntakeBenchmark.RunAsync(options),
        "resume" => ResumeBenchmark.RunAsync(options),
        "reports" => ReportsBenchmark.RunAsync(options),
        _ => throw new BenchmarkException($"unknown benchmark '{name}'"),
    };
}

/// <summary>A benchmark could not run or its run was invalid (errors, missing tools); the message says why.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
