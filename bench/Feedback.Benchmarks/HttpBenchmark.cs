using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Feedback.Benchmarks;

/// <summary>
/// The public intake API and the pages staff open from mail, under <c>wrk</c> on loopback against the real host:
/// throughput, latency percentiles and errors per scenario and connection count.
/// </summary>
/// <remarks>
/// Scenarios, each a closed loop bounded in time: the public form page (<c>GET /feedback</c>); the signed task pages
/// (<c>GET /l/{token}</c>), rotating through the links the host mailed for the open tasks of cases prepared through
/// intake; and intake itself (<c>POST /api/feedback</c>, a realistic body and an Idempotency-Key of its own per
/// request). Afterwards every case number intake answered 201 must be stored once, under this run's keys.
/// </remarks>
internal static partial class HttpBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var minConnections = options.Int("min-connections", 2);
        var maxConnections = options.Int("max-connections", 32);
        var duration = options.Seconds("seconds", 15);
        var taskCases = options.Int("cases", 300);
        options.RejectUnknown();
        if (maxConnections < minConnections) throw new BenchmarkException("--max-connections is below --min-connections");
        var levels = new List<int>();
        for (var c = minConnections; c <= maxConnections; c *= 4) levels.Add(c);
        var wrk = Wrk.Find();

        var work = Directory.CreateTempSubdirectory("feedback-bench-http-").FullName;
        try
        {
            await using var session = await BenchSession.StartAsync();
            var intake = new IntakeClient(session.Host.Public, FeedbackMix.Load());
            BenchSession.Progress($"preparing {taskCases} cases through intake for their task links");
            (await Load.ClosedLoopAsync(8, TimeSpan.FromMinutes(3), taskCases, intake.SubmitAsync)).ThrowOnErrors("preparation");
            await session.DrainOutboxAsync(TimeSpan.FromSeconds(60));

            var links = await TaskLinksAsync(session);
            if (links.Count < taskCases) throw new BenchmarkException($"only {links.Count} staff-task links were mailed for {taskCases} cases");
            var linksFile = Path.Combine(work, "task-links.txt");
            await File.WriteAllLinesAsync(linksFile, links);
            var formFile = Path.Combine(work, "form.txt");
            await File.WriteAllLinesAsync(formFile, ["/feedback"]);
            var bodiesFile = Path.Combine(work, "bodies.txt");
            await File.WriteAllLinesAsync(bodiesFile, intake.Mix.Select(Body));

            var baseAddress = session.Host.Public.BaseAddress!;
            var runs = new List<(string Scenario, int Connections, WrkResult Result, CpuMeter.Usage Cpu)>();
            async Task<WrkResult> Run(string scenario, string script, int connections, Dictionary<string, string> environment)
            {
                BenchSession.Progress($"{scenario}: {connections} connections, {duration.TotalSeconds:0} s");
                var before = session.Cpu.Take();
                var result = await Wrk.RunAsync(wrk, baseAddress, script, connections, duration, environment);
                runs.Add((scenario, connections, result, CpuMeter.Between(before, session.Cpu.Take())));
                return result;
            }

            foreach (var c in levels) await Run("form page", "paths.lua", c, new() { ["BENCH_PATHS"] = formFile });
            foreach (var c in levels) await Run("task page", "paths.lua", c, new() { ["BENCH_PATHS"] = linksFile });

            var run = $"wrk-{Guid.NewGuid():N}"[..12];
            long answeredCreated = 0;
            foreach (var c in levels)
            {
                var output = Directory.CreateDirectory(Path.Combine(work, $"intake-{c}")).FullName;
                var result = await Run("intake", "intake.lua", c, new() { ["BENCH_BODIES"] = bodiesFile, ["BENCH_RUN"] = $"{run}-{c}", ["BENCH_OUT"] = output });
                answeredCreated += result.Ok;
                // Mail and workers of one run would otherwise load the next.
                await session.DrainOutboxAsync(TimeSpan.FromSeconds(120));
            }
            var check = await CheckIntakeAsync(session.Database, work, run, answeredCreated);
            // A stored case nobody was answered for can only be a request wrk abandoned at its stop, at most one per connection.
            if (check.Unanswered > levels.Sum())
                throw new BenchmarkException($"{check.Unanswered} cases are stored without a 201, more than the {levels.Sum()} requests in flight when the runs stopped");

            var report = new Report("http")
                .Add("postgres", "PostgreSQL", session.ServerVersion)
                .Add("wrk", "load generator", "wrk, closed loop, min(2, connections) threads, 10 s time-out")
                .Add("seconds", "duration of each run", duration.TotalSeconds, "s", 0)
                .Add("taskLinks", "signed task links rotated through", links.Count, "", 0);
            foreach (var (scenario, connections, result, cpu) in runs)
            {
                var label = $"{scenario}, {connections} conn.";
                var key = $"{Key(scenario)}C{connections}";
                report.Add($"{key}PerSecond", $"{label}: throughput", result.PerSecond, "requests/s")
                    .Add($"{key}P50Ms", $"{label}: latency p50", result.P50Us / 1000.0, "ms")
                    .Add($"{key}P99Ms", $"{label}: latency p99", result.P99Us / 1000.0, "ms")
                    .Add($"{key}Errors", $"{label}: errors (non-2xx/3xx + socket)", result.Errors,
                        result.Errors == 0 ? "" : $"first status {result.FirstOther}, connect/read/write/timeout {result.Connect}/{result.Read}/{result.Write}/{result.Timeout}", 0)
                    .Add($"{key}HostCpuMs", $"{label}: host CPU per request", cpu.Host * 1000 / Math.Max(1, result.Requests), "ms", 2)
                    .Add($"{key}PostgresCpuMs", $"{label}: PostgreSQL CPU per request", (cpu.Postgres ?? double.NaN) * 1000 / Math.Max(1, result.Requests), "ms", 2);
            }
            var errors = runs.Sum(r => r.Result.Errors);
            report.Add("intakeCreated", "intake: cases answered 201 (all runs)", answeredCreated, "", 0)
                .Add("intakeStored", "intake: cases stored under this run's keys", check.Stored, $"{check.Unanswered} more were in flight when wrk stopped", 0)
                .Add("intakeCheck", "intake: every 201 stored as exactly one case", "yes")
                .Target("target", "no errors under load (non-2xx/3xx answers, socket errors, time-outs)", errors == 0)
                .Json("runs", new JsonArray(runs.Select(r => (JsonNode)new JsonObject
                {
                    ["scenario"] = r.Scenario, ["connections"] = r.Connections, ["requests"] = r.Result.Requests,
                    ["perSecond"] = Math.Round(r.Result.PerSecond, 1), ["p50Ms"] = r.Result.P50Us / 1000.0, ["p90Ms"] = r.Result.P90Us / 1000.0,
                    ["p99Ms"] = r.Result.P99Us / 1000.0, ["maxMs"] = r.Result.MaxUs / 1000.0, ["errors"] = r.Result.Errors,
                }).ToArray()))
                .Print();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The body of <c>IntakeClient.SubmitAsync</c>, with the request's key in the name and address.</summary>
    private static string Body(FeedbackSample sample) => new JsonObject
    {
        ["channel"] = "WebForm",
        ["customerName"] = "Customer __KEY__",
        ["customerEmail"] = "__KEY__@example.com",
        ["language"] = sample.Language,
        ["title"] = sample.Title,
        ["content"] = sample.Text,
    }.ToJsonString();

    private static string Key(string scenario) => scenario switch
    {
        "form page" => "form",
        "task page" => "taskPage",
        _ => "intake",
    };

    /// <summary>The paths of the signed links in the staff-task mails the host sent (the outbox keeps delivered mail).</summary>
    private static async Task<List<string>> TaskLinksAsync(BenchSession session)
    {
        var texts = await session.Database.ColumnAsync(
            "SELECT payload::jsonb ->> 'text' FROM outbox_messages WHERE payload::jsonb ->> 'message' = 'StaffTask' AND delivered_at IS NOT NULL");
        var links = texts.SelectMany(t => LinkPattern().Matches(t ?? "").Select(m => m.Groups[1].Value)).Distinct().ToList();
        // One page must be what staff see: the task form, not a page that says the link is broken.
        if (links.Count > 0)
        {
            using var answer = await session.Host.Public.GetAsync(links[0]);
            if (!answer.IsSuccessStatusCode) throw new BenchmarkException($"the mailed task link {links[0]} answered {(int)answer.StatusCode}");
        }
        return links;
    }

    [GeneratedRegex(@"https?://[^/\s]+(/l/[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkPattern();

    /// <summary>Every case number answered 201 is stored exactly once under this run's keys; returns how many are stored.</summary>
    /// <exception cref="BenchmarkException">A 201 without its case, a number answered twice, or fewer cases than 201s.</exception>
    private static async Task<(long Stored, long Unanswered)> CheckIntakeAsync(BenchDatabase database, string work, string run, long answered)
    {
        var numbers = Directory.EnumerateFiles(work, "created-*.txt", SearchOption.AllDirectories).SelectMany(File.ReadLines)
            .Where(l => l.Length > 0).ToList();
        if (numbers.Count != answered) throw new BenchmarkException($"wrk counted {answered} answers 201 but recorded {numbers.Count} case numbers");
        if (numbers.Distinct().Count() != numbers.Count) throw new BenchmarkException("a case number was answered 201 twice");
        var stored = (await database.ColumnAsync($"SELECT number FROM feedback_cases WHERE idempotency_key LIKE '{run}-%'")).ToHashSet();
        var missing = numbers.Where(n => !stored.Contains(n)).ToList();
        if (missing.Count > 0) throw new BenchmarkException($"{missing.Count} cases answered 201 are not stored under this run's keys (first: {missing[0]})");
        return (stored.Count, stored.Count - numbers.Count);
    }
}
