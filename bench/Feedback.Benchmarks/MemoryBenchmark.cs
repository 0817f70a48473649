using System.Diagnostics;
using System.Globalization;

namespace Feedback.Benchmarks;

/// <summary>
/// The host's memory with many suspended workflow instances waiting on staff tasks, against the same host with
/// almost none, in the same run: idle after start-up, and after resuming a sample of them through the task API.
/// </summary>
/// <remarks>
/// A first host registers <c>sample + 1</c> cases through intake (each waits on its first staff task). A fresh host
/// on that database is the baseline: measured idle, then after completing the sample's tasks. Then the store is
/// filled with copies of one of those cases up to <c>--instances</c> suspended instances (<see cref="SuspendedCopies"/>),
/// and another fresh host is measured the same way, resuming copies spread over the whole range; a last one after the
/// store's timers are taken away tells whether the timer repair is what grows with the count. Memory is the
/// process's resident set from <c>/proc/&lt;pid&gt;/status</c> (current, peak, anonymous): the host runs as a separate
/// process with its own runtime, whose own counters are not reachable from here.
/// </remarks>
internal static class MemoryBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var instances = options.Int("instances", 100_000);
        var sample = options.Int("sample", 200);
        var settle = options.Seconds("settle-seconds", 15);
        options.RejectUnknown();
        if (instances < 4 * (sample + 1)) throw new BenchmarkException("--instances must be at least four times --sample");
        if (!File.Exists("/proc/self/status")) throw new BenchmarkException("/proc/<pid>/status is not available on this system");

        await using var database = await BenchDatabase.CreateAsync();
        var version = await database.ServerVersionAsync();

        BenchSession.Progress($"PostgreSQL {version}; registering {sample + 1} cases through intake");
        List<string> created;
        await using (var first = await HostUnderTest.StartAsync(database.ConnectionString))
        {
            var intake = new IntakeClient(first.Public, FeedbackMix.Load());
            (await Load.ClosedLoopAsync(4, TimeSpan.FromMinutes(3), sample + 1, intake.SubmitAsync)).ThrowOnErrors("preparation");
            await DrainOutboxAsync(database);
            created = intake.Created.Order(StringComparer.Ordinal).ToList();
        }
        var template = await SuspendedCopies.ReadTemplateAsync(database, created[0]);
        // Every copy's timers fall due with the template's; they must not fire while the hosts are measured.
        var firstDue = await database.ScalarAsync($"SELECT min(resume_at) FROM bookmarks WHERE workflow_instance_id = '{template.InstanceId}'");
        if (firstDue is DateTime due && due < DateTime.UtcNow.AddMinutes(30))
            throw new BenchmarkException($"the template's first timer is due at {due:O}, too soon to copy it {instances} times");

        BenchSession.Progress("baseline host: few suspended instances");
        var baseline = await MeasureAsync(database, created.Skip(1).ToList(), settle);

        var copies = instances - (sample + 1);
        BenchSession.Progress($"copying case {template.CaseNumber} {copies} times");
        var fill = Stopwatch.StartNew();
        await SuspendedCopies.FillAsync(database, template, copies);
        fill.Stop();
        // The sample is spread over the whole range of copies, so it touches old and new rows alike.
        var positions = Enumerable.Range(0, sample).Select(i => 1 + (int)((long)i * (copies - 2) / Math.Max(1, sample - 1))).ToList();
        var spread = positions.Select(n => SuspendedCopies.NumberOf(template, n)).ToList();
        BenchSession.Progress($"loaded host: {instances} suspended instances");
        var loaded = await MeasureAsync(database, spread, settle);

        // Which part grows with the suspended count: the same store once more with every timer taken away from what the
        // periodic timer repair reads (Quartz's bookmark triggers, the bookmarks' due times); the instances, their task
        // bookmarks, cases and tasks stay. The sample is the copy after each one resumed above, still on its first task.
        var timers = Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM bookmarks WHERE resume_at IS NOT NULL"));
        await database.ExecuteAsync("BEGIN; DELETE FROM qrtz_simple_triggers WHERE trigger_group = 'bookmarks'; " +
            "DELETE FROM qrtz_triggers WHERE trigger_group = 'bookmarks'; UPDATE bookmarks SET resume_at = NULL WHERE resume_at IS NOT NULL; COMMIT;");
        var neighbours = positions.Select(n => SuspendedCopies.NumberOf(template, n + 1)).ToList();
        BenchSession.Progress($"loaded host without timers ({timers} removed)");
        var untimed = await MeasureAsync(database, neighbours, settle);

        static double MiB(long kB) => kB / 1024.0;
        new Report("memory")
            .Add("postgres", "PostgreSQL", version)
            .Add("copyTemplate", "copied case (waits on its first staff task)", $"{template.CaseNumber}: {template.BookmarkIds.Count} bookmarks, copied in {fill.Elapsed.TotalSeconds:0} s")
            .Add("baselineSuspended", "baseline: suspended instances", baseline.Suspended, "", 0)
            .Add("loadedSuspended", "loaded: suspended instances", loaded.Suspended, "", 0)
            .Add("baselineStartSeconds", "baseline: host start until ready", baseline.StartSeconds, "s")
            .Add("loadedStartSeconds", "loaded: host start until ready", loaded.StartSeconds, "s")
            .Add("baselineReadyRssMiB", "baseline: resident set when it first answers", MiB(baseline.Ready.RssKb), "MiB")
            .Add("loadedReadyRssMiB", "loaded: resident set when it first answers", MiB(loaded.Ready.RssKb), "MiB")
            .Add("baselineIdleRssMiB", "baseline: idle resident set (VmRSS)", MiB(baseline.Idle.RssKb), "MiB")
            .Add("loadedIdleRssMiB", "loaded: idle resident set (VmRSS)", MiB(loaded.Idle.RssKb), "MiB")
            .Add("idleRssRatio", "loaded / baseline: idle resident set", loaded.Idle.RssKb / (double)baseline.Idle.RssKb, "", 2)
            .Add("baselineIdleAnonMiB", "baseline: idle anonymous memory (RssAnon, the heaps)", MiB(baseline.Idle.AnonKb), "MiB")
            .Add("loadedIdleAnonMiB", "loaded: idle anonymous memory (RssAnon, the heaps)", MiB(loaded.Idle.AnonKb), "MiB")
            .Add("idleAnonRatio", "loaded / baseline: idle anonymous memory", loaded.Idle.AnonKb / (double)baseline.Idle.AnonKb, "", 2)
            .Add("baselineIdlePeakMiB", "baseline: peak resident set until idle (VmHWM)", MiB(baseline.Idle.PeakKb), "MiB")
            .Add("loadedIdlePeakMiB", "loaded: peak resident set until idle (VmHWM)", MiB(loaded.Idle.PeakKb), "MiB")
            .Add("sample", "tasks completed through the task API (one per case)", sample, "", 0)
            .Add("baselineResumeSeconds", "baseline: time to complete the sample (1 client)", baseline.ResumeSeconds, "s")
            .Add("loadedResumeSeconds", "loaded: time to complete the sample (1 client)", loaded.ResumeSeconds, "s")
            .Add("baselineAfterRssMiB", "baseline: resident set after the sample", MiB(baseline.After.RssKb), "MiB")
            .Add("loadedAfterRssMiB", "loaded: resident set after the sample", MiB(loaded.After.RssKb), "MiB")
            .Add("afterRssRatio", "loaded / baseline: resident set after the sample", loaded.After.RssKb / (double)baseline.After.RssKb, "", 2)
            .Add("baselinePeakMiB", "baseline: peak resident set (VmHWM)", MiB(baseline.After.PeakKb), "MiB")
            .Add("loadedPeakMiB", "loaded: peak resident set (VmHWM)", MiB(loaded.After.PeakKb), "MiB")
            .Add("peakRatio", "loaded / baseline: peak resident set", loaded.After.PeakKb / (double)baseline.After.PeakKb, "", 2)
            .Add("timersRemoved", "without timers: timer bookmarks and their triggers removed", timers, "", 0)
            .Add("untimedStartSeconds", "without timers: host start until ready", untimed.StartSeconds, "s")
            .Add("untimedIdleRssMiB", "without timers: idle resident set (VmRSS)", MiB(untimed.Idle.RssKb), "MiB")
            .Add("untimedIdleAnonMiB", "without timers: idle anonymous memory (RssAnon)", MiB(untimed.Idle.AnonKb), "MiB")
            .Add("untimedIdleRssRatio", "without timers / baseline: idle resident set", untimed.Idle.RssKb / (double)baseline.Idle.RssKb, "", 2)
            .Add("untimedAfterRssMiB", "without timers: resident set after the sample", MiB(untimed.After.RssKb), "MiB")
            .Add("untimedPeakMiB", "without timers: peak resident set (VmHWM)", MiB(untimed.After.PeakKb), "MiB")
            .Print();
        return 0;
    }

    /// <summary>What one host showed: idle after start-up, then after completing one open task of each case in <paramref name="cases"/>.</summary>
    private sealed record Phase(long Suspended, double StartSeconds, ProcessMemory Ready, ProcessMemory Idle, double ResumeSeconds, ProcessMemory After);

    private static async Task<Phase> MeasureAsync(BenchDatabase database, List<string> cases, TimeSpan settle)
    {
        var suspended = Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM workflow_instances WHERE sub_status = 'Suspended'"));
        var start = Stopwatch.StartNew();
        await using var host = await HostUnderTest.StartAsync(database.ConnectionString);
        var startSeconds = start.Elapsed.TotalSeconds;
        var ready = ProcessMemory.Read(host.Process.Id);
        // Start-up work (timer repair, caches) runs in the background after the host answers; let it finish.
        await Task.Delay(settle);
        var idle = ProcessMemory.Read(host.Process.Id);
        BenchSession.Progress($"idle: {idle}");

        var tasks = await TaskClient.CreateAsync(host.Staff);
        var open = new List<OpenTask>();
        foreach (var number in cases)
        {
            var found = await tasks.OpenTasksOfCaseAsync(number);
            if (found.Count != 1) throw new BenchmarkException($"case {number} has {found.Count} open tasks, expected one");
            open.Add(found[0]);
        }
        var clock = Stopwatch.StartNew();
        foreach (var task in open)
            if (await tasks.CompleteAsync(task) is { } error) throw new BenchmarkException($"completing task {task.Id} of {task.CaseNumber}: {error}");
        var resumeSeconds = clock.Elapsed.TotalSeconds;
        await DrainOutboxAsync(database);

        // Each completion must be stored, and each case must have moved on to its next task.
        var list = string.Join(", ", cases.Select(c => $"'{c}'"));
        var completed = Convert.ToInt64(await database.ScalarAsync($"SELECT count(*) FROM feedback_tasks WHERE case_number IN ({list}) AND status = 'Completed'"));
        var next = Convert.ToInt64(await database.ScalarAsync($"SELECT count(DISTINCT case_number) FROM feedback_tasks WHERE case_number IN ({list}) AND status = 'Open'"));
        if (completed != cases.Count || next != cases.Count)
            throw new BenchmarkException($"of {cases.Count} resumed cases {completed} have their task completed and {next} a next open task");
        await Task.Delay(settle / 3);
        var after = ProcessMemory.Read(host.Process.Id);
        BenchSession.Progress($"after {cases.Count} completions: {after}");
        return new Phase(suspended, startSeconds, ready, idle, resumeSeconds, after);
    }

    private static async Task DrainOutboxAsync(BenchDatabase database)
    {
        var clock = Stopwatch.StartNew();
        while (Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL")) > 0)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) throw new BenchmarkException("mail was still undelivered after two minutes");
            await Task.Delay(200);
        }
    }
}

/// <summary>A process's memory from <c>/proc/&lt;pid&gt;/status</c>, in kB: resident now, its peak, and the anonymous (heap) part.</summary>
internal sealed record ProcessMemory(long RssKb, long PeakKb, long AnonKb)
{
    /// <exception cref="BenchmarkException">The process is gone or the file lacks the fields.</exception>
    public static ProcessMemory Read(int pid)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path)) throw new BenchmarkException($"process {pid} is gone");
        var fields = File.ReadLines(path).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
        long Kb(string name) => fields.TryGetValue(name, out var v) && v.EndsWith(" kB", StringComparison.Ordinal)
            ? long.Parse(v[..^3], CultureInfo.InvariantCulture) : throw new BenchmarkException($"{path} has no {name}");
        return new ProcessMemory(Kb("VmRSS"), Kb("VmHWM"), Kb("RssAnon"));
    }

    public override string ToString() => $"VmRSS {RssKb / 1024} MiB, VmHWM {PeakKb / 1024} MiB, RssAnon {AnonKb / 1024} MiB";
}
