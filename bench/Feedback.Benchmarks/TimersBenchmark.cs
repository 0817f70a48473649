using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// Timer accuracy with a full job store: lateness of real workflow timers (a published flow waiting in
/// <c>Elsa.StartAt</c> on Quartz's clustered PostgreSQL store) while 100,000 other timers are pending, plus misses and
/// duplicates, judged from the runtime's journal.
/// </summary>
/// <remarks>
/// Measured instances are started through the execute API at a fixed rate, each a fixed lead ahead of its due time, so
/// new timers are scheduled while earlier ones fire, as in production. The due time is the instance's input, so it is
/// known exactly; the resume time is the journal's <c>Resumed</c> entry of the waiting activity, written by the burst
/// the timer started. With several hosts the starts go round-robin and every host's scheduler competes for the firings.
/// </remarks>
internal static class TimersBenchmark
{
    private const double TargetP99Seconds = 2;
    private const string DefinitionName = "Timer benchmark flow";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var pending = options.Int("pending", 100_000, 0);
        var timers = options.Int("timers", 2_000);
        var window = options.Seconds("window-seconds", 60);
        var lead = options.Seconds("lead-seconds", 15);
        var grace = options.Seconds("grace-seconds", 30);
        var hostCount = options.Int("hosts", 1);
        options.RejectUnknown();

        await using var session = await BenchSession.StartAsync();
        var hosts = new List<HostUnderTest> { session.Host };
        try
        {
            // One after another: each start-up publishes the shipped definitions, and they need not race for it.
            for (var i = 1; i < hostCount; i++)
            {
                BenchSession.Progress($"starting host {i + 1} of {hostCount}");
                hosts.Add(await HostUnderTest.StartAsync(session.Database.ConnectionString));
            }
            return await MeasureAsync(session, hosts, pending, timers, window, lead, grace);
        }
        finally
        {
            foreach (var extra in hosts.Skip(1)) await extra.DisposeAsync();
        }
    }

    private static async Task<int> MeasureAsync(BenchSession session, List<HostUnderTest> hosts, int pending, int timers, TimeSpan window, TimeSpan lead, TimeSpan grace)
    {
        var api = session.Host.Staff;
        var definitionId = await PublishAsync(api);

        // The template: one timer stored by the host itself, a day ahead, that the pending ones are copied from.
        var templateDue = WholeSecond(DateTimeOffset.UtcNow.AddDays(1));
        var templateInstance = await StartAsync(api, definitionId, templateDue);
        var templateBookmark = Convert.ToString(await session.Database.ScalarAsync(
            $"SELECT id FROM bookmarks WHERE workflow_instance_id = '{templateInstance}'"))
            ?? throw new BenchmarkException($"the template instance {templateInstance} has no bookmark");

        var fill = Stopwatch.StartNew();
        if (pending > 1)
        {
            BenchSession.Progress($"storing {pending - 1:N0} more pending timers (due over the next {(pending * 3) / 86400.0:0.#} days)");
            await PendingTimers.FillAsync(session.Database, new PendingTimers.Template(templateBookmark, templateInstance, templateDue), pending - 1, TimeSpan.FromSeconds(3));
        }
        fill.Stop();
        var before = await StoreCountsAsync(session.Database);
        if (before.WaitingTriggers < pending)
            throw new BenchmarkException($"expected at least {pending} waiting triggers before the run, found {before.WaitingTriggers}");

        BenchSession.Progress($"{timers:N0} timers due over {window.TotalSeconds:0} s, each started {lead.TotalSeconds:0} s ahead, on {hosts.Count} host(s)");
        var memory = new MemorySampler(hosts);
        var origin = DateTimeOffset.UtcNow + lead;
        var dues = Enumerable.Range(0, timers)
            .Select(i => origin + TimeSpan.FromTicks(window.Ticks * i / Math.Max(1, timers - 1)))
            .Select(d => new DateTimeOffset(d.UtcTicks - d.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero))
            .ToArray();
        var instanceIds = new string?[timers];
        var startErrors = new List<string>();
        var startLatencies = new double[timers];

        using var stop = new CancellationTokenSource();
        var sampling = memory.RunAsync(stop.Token);
        var starting = Task.Run(async () =>
        {
            using var gate = new SemaphoreSlim(32);
            var running = new List<Task>(timers);
            for (var i = 0; i < timers; i++)
            {
                var startAt = dues[i] - lead;
                var wait = startAt - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                await gate.WaitAsync();
                var index = i;
                running.Add(Task.Run(async () =>
                {
                    var clock = Stopwatch.StartNew();
                    try { instanceIds[index] = await StartAsync(hosts[index % hosts.Count].Staff, definitionId, dues[index]); }
                    catch (Exception e) when (e is BenchmarkException or HttpRequestException or TaskCanceledException)
                    {
                        lock (startErrors) startErrors.Add(e.Message);
                    }
                    finally
                    {
                        startLatencies[index] = clock.Elapsed.TotalMilliseconds;
                        gate.Release();
                    }
                }));
            }
            await Task.WhenAll(running);
        });

        // Wait for every firing until the last due time plus the grace; the journal is the record of what fired.
        var deadline = dues[^1] + grace;
        Dictionary<string, (long Count, DateTimeOffset First)> resumed = [];
        while (DateTimeOffset.UtcNow <= deadline && startErrors.Count == 0)
        {
            await Task.Delay(1000);
            if (!starting.IsCompleted) continue;
            resumed = await ResumedAsync(session.Database, instanceIds.OfType<string>().ToArray());
            if (resumed.Count == timers) break;
        }
        await starting;
        await stop.CancelAsync();
        await sampling;
        if (startErrors.Count > 0)
            throw new BenchmarkException($"{startErrors.Count} of {timers} starts failed, e.g.: {string.Join(" | ", startErrors.Take(3))}");

        // Duplicates may arrive after the last first firing; give them a moment before the final count.
        await Task.Delay(TimeSpan.FromSeconds(3));
        resumed = await ResumedAsync(session.Database, instanceIds.OfType<string>().ToArray());
        var after = await StoreCountsAsync(session.Database);

        // Failed firings are retried by Quartz with back-off, which shows as lateness; the host's warnings tell.
        var warnings = hosts.SelectMany(h => h.Output.Split('\n')).Where(l => l.StartsWith("warn:", StringComparison.Ordinal) || l.StartsWith("fail:", StringComparison.Ordinal)).ToList();
        var lateness = new List<double>(timers);
        // Lateness by position in the window tells a growing backlog (later quarters later) from a fixed delay.
        var quarters = new List<double>[4];
        for (var q = 0; q < 4; q++) quarters[q] = [];
        var misses = 0;
        var early = 0;
        for (var i = 0; i < timers; i++)
        {
            if (!resumed.TryGetValue(instanceIds[i]!, out var r) || r.First > dues[i] + grace) { misses++; continue; }
            var late = (r.First - dues[i]).TotalSeconds;
            if (late < -0.001) early++;
            lateness.Add(late);
            quarters[Math.Min(3, i * 4 / timers)].Add(late);
        }
        var duplicates = resumed.Values.Count(r => r.Count > 1);
        var sorted = lateness.Order().ToArray();
        Array.Sort(startLatencies);
        var p99 = sorted.Length > 0 ? LoadResult.Percentile(sorted, 99) : double.NaN;
        var unfinished = Convert.ToInt64(await session.Database.ScalarAsync(
            "SELECT count(*) FROM workflow_instances WHERE definition_id = '" + definitionId + "' AND id NOT LIKE 'bench-pending-%' AND id <> '" + templateInstance + "' AND sub_status <> 'Finished'"));

        new Report("timers")
            .Add("postgres", "PostgreSQL", session.ServerVersion)
            .Add("hosts", "host processes sharing the clustered store", hosts.Count, "", 0)
            .Add("pending", "pending timers (not due during the run)", pending, "", 0)
            .Add("fillSeconds", "storing them (set-based copies of one stored timer)", fill.Elapsed.TotalSeconds, "s")
            .Add("timers", "measured timers", timers, $"due over {window.TotalSeconds:0} s, started {lead.TotalSeconds:0} s ahead", 0)
            .Add("startP50Ms", "start (execute API) latency p50", LoadResult.Percentile(startLatencies, 50), "ms")
            .Add("startP99Ms", "start (execute API) latency p99", LoadResult.Percentile(startLatencies, 99), "ms")
            .Add("latenessP50Seconds", "lateness p50 (journal Resumed - due)", sorted.Length > 0 ? LoadResult.Percentile(sorted, 50) : double.NaN, "s", 3)
            .Add("latenessP99Seconds", "lateness p99", p99, "s", 3)
            .Add("latenessMaxSeconds", "lateness max", sorted.Length > 0 ? sorted[^1] : double.NaN, "s", 3)
            .Add("latenessQuartersP50", "lateness p50 by quarter of the window", string.Join(" / ", quarters.Select(q =>
                q.Count > 0 ? LoadResult.Percentile(q.Order().ToArray(), 50).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a")) + " s")
            .Add("hostWarnings", "host warnings and errors (start-up's included)", warnings.Count, "", 0)
            .Add("early", "fired before the due time", early, "", 0)
            .Add("misses", $"misses (not fired within the window + {grace.TotalSeconds:0} s)", misses, "", 0)
            .Add("duplicates", "duplicates (more than one Resumed entry)", duplicates, "", 0)
            .Add("unfinished", "measured instances not finished", unfinished, "", 0)
            .Add("waitingBefore", "bookmark triggers waiting, before", before.WaitingTriggers, "", 0)
            .Add("waitingAfter", "bookmark triggers waiting, after", after.WaitingTriggers, "", 0)
            .Add("bookmarksBefore", "timer bookmarks, before", before.Bookmarks, "", 0)
            .Add("bookmarksAfter", "timer bookmarks, after", after.Bookmarks, "", 0)
            .Add("firedAfter", "rows in qrtz_fired_triggers, after", after.FiredTriggers, "", 0)
            .Add("hostWorkingSetMaxMb", "host working set, max over the run (per host)", memory.MaxWorkingSetMb, "MiB", 0)
            .Add("hostWorkingSetEndMb", "host working set at the end (per host, mean)", memory.LastWorkingSetMb, "MiB", 0)
            .Target("latenessTarget", $"lateness p99 under {TargetP99Seconds} s with {pending:N0} pending", p99 < TargetP99Seconds)
            .Target("exactlyOnceTarget", "0 misses, 0 duplicates", misses == 0 && duplicates == 0)
            .Print();

        // The run is broken, not merely slow, if pending timers fired or a measured one ran twice or not at all.
        if (after.WaitingTriggers != before.WaitingTriggers || after.Bookmarks != before.Bookmarks)
            throw new BenchmarkException($"pending timers changed during the run: waiting triggers {before.WaitingTriggers} -> {after.WaitingTriggers}, bookmarks {before.Bookmarks} -> {after.Bookmarks}");
        return misses == 0 && duplicates == 0 && unfinished == 0 ? 0 : 1;
    }

    /// <summary>Publishes start → StartAt(input dueAt) → end and returns its definition id.</summary>
    internal static async Task<string> PublishAsync(HttpClient api)
    {
        static JsonObject Activity(string id, string type, JsonObject? inputs = null)
        {
            var json = new JsonObject { ["id"] = id, ["name"] = id, ["type"] = type, ["version"] = 1 };
            foreach (var (key, value) in inputs ?? []) json[key] = value?.DeepClone();
            return json;
        }
        static JsonObject Edge(string from, string to) => new()
        {
            ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" },
            ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" },
        };
        var model = new JsonObject
        {
            ["name"] = DefinitionName,
            ["version"] = 1,
            ["root"] = new JsonObject
            {
                ["id"] = "flow", ["type"] = "Elsa.Flowchart", ["version"] = 1,
                ["activities"] = new JsonArray(
                    Activity("start", "Elsa.Start"),
                    Activity("wait", "Elsa.StartAt", new JsonObject
                    {
                        ["dateTime"] = new JsonObject { ["typeName"] = "DateTimeOffset", ["expression"] = new JsonObject { ["type"] = "Input", ["value"] = "dueAt" } },
                    }),
                    Activity("end", "Elsa.End")),
                ["connections"] = new JsonArray(Edge("start", "wait"), Edge("wait", "end")),
            },
        };
        using var response = await api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = true });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new BenchmarkException($"publishing the timer flow answered {(int)response.StatusCode}: {body}");
        return (string?)JsonNode.Parse(body)?["workflowDefinition"]?["definitionId"]
            ?? throw new BenchmarkException($"publishing the timer flow returned no definition id: {body}");
    }

    /// <summary>Starts one instance due at <paramref name="dueAt"/>; it must come back suspended on its timer.</summary>
    private static async Task<string> StartAsync(HttpClient api, string definitionId, DateTimeOffset dueAt)
    {
        using var response = await api.PostAsJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute",
            new JsonObject { ["input"] = new JsonObject { ["dueAt"] = dueAt.ToString("O") } });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new BenchmarkException($"execute answered {(int)response.StatusCode}: {body}");
        var state = JsonNode.Parse(body)?["workflowState"];
        var id = (string?)state?["id"] ?? throw new BenchmarkException($"execute returned no instance id: {body}");
        // Finished already would mean it was started after its due time: a setup fault, not a timer result.
        if ((string?)state?["subStatus"] != "Suspended")
            throw new BenchmarkException($"instance {id} due {dueAt:O} came back {(string?)state?["subStatus"]}, not Suspended");
        return id;
    }

    private static async Task<Dictionary<string, (long Count, DateTimeOffset First)>> ResumedAsync(BenchDatabase database, string[] instanceIds)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT workflow_instance_id, count(*), min(timestamp) FROM workflow_journal WHERE event_name = 'Resumed' AND activity_id = 'wait' AND workflow_instance_id = ANY(@ids) GROUP BY 1",
            connection);
        command.Parameters.AddWithValue("ids", instanceIds);
        var result = new Dictionary<string, (long, DateTimeOffset)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2));
        return result;
    }

    private sealed record StoreCounts(long WaitingTriggers, long Bookmarks, long FiredTriggers);

    private static async Task<StoreCounts> StoreCountsAsync(BenchDatabase database) => new(
        Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'bookmarks' AND trigger_state = 'WAITING'")),
        Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM bookmarks WHERE resume_at IS NOT NULL")),
        Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM qrtz_fired_triggers")));

    private static DateTimeOffset WholeSecond(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>Samples the hosts' working sets once a second.</summary>
    private sealed class MemorySampler(List<HostUnderTest> hosts)
    {
        public double MaxWorkingSetMb { get; private set; }
        public double LastWorkingSetMb { get; private set; }

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                Sample();
                try { await Task.Delay(1000, stop); }
                catch (OperationCanceledException) { break; }
            }
            Sample();
        }

        private void Sample()
        {
            var sizes = hosts.Select(h => { h.Process.Refresh(); return h.Process.WorkingSet64 / 1048576.0; }).ToArray();
            MaxWorkingSetMb = Math.Max(MaxWorkingSetMb, sizes.Max());
            LastWorkingSetMb = sizes.Average();
        }
    }
}
