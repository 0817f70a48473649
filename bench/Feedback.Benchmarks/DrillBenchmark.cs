using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// The fault drill: several real hosts on one database and the clustered Quartz store, each delivering mail over SMTP
/// to one loopback sink, take cases from intake to the answer and fire timers while hosts are killed with SIGKILL and
/// PostgreSQL is stopped once; afterwards nothing may be lost or doubled.
/// </summary>
/// <remarks>
/// Traffic: <c>--clients</c> workers each take a case from the public form (Idempotency-Key) through its four staff
/// tasks and the customer's satisfaction survey (answered from the mailed link) to the reply mail, and a timer loop
/// starts the timer flow of <see cref="TimersBenchmark"/> (start → StartAt a few seconds ahead → end) under instance
/// ids the client chooses. Workers keep taking new cases until both
/// <c>--cases</c> cases are done and <c>--kills</c> kills happened, so every kill meets flowing traffic. Then the
/// drill waits (at most <c>--settle-seconds</c>) for the outbox to empty and the instances to finish, and judges.
/// </remarks>
internal static class DrillBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var hostCount = options.Int("hosts", 3);
        var caseCount = options.Int("cases", 1000);
        var kills = options.Int("kills", 20, 0);
        var clients = options.Int("clients", 12);
        var minGap = options.Seconds("kill-min-seconds", 3);
        var maxGap = options.Seconds("kill-max-seconds", 8);
        var outage = TimeSpan.FromSeconds(options.Double("pg-outage-seconds", 8));
        var outageAfter = options.Int("pg-outage-after-kills", 2, 0);
        var timerEvery = options.Seconds("timer-every-seconds", 0.5);
        var maxSeconds = options.Seconds("max-seconds", 600);
        var settle = options.Seconds("settle-seconds", 90);
        var seed = options.Int("seed", Environment.TickCount & 0x7fffffff, 0);
        options.RejectUnknown();
        if (hostCount < 2 && kills > 0) throw new BenchmarkException("--kills needs --hosts 2 or more: the last host standing is never killed");

        var random = new Random(seed);
        await using var database = await BenchDatabase.CreateAsync();
        var version = await database.ServerVersionAsync();
        await using var sink = new DrillSmtpSink();
        // The hosts run on one machine, whose outbox journal folder outlives each host process, as a deployment's data
        // folder does; each start gets a fresh data folder otherwise.
        var journal = Directory.CreateTempSubdirectory("feedback-drill-outbox-journal-");
        using var removeJournal = new JournalFolder(journal.FullName);
        var environment = new Dictionary<string, string>
        {
            ["Workflows__OutboxJournalFolder"] = journal.FullName,
            ["Email__Smtp__Host"] = "127.0.0.1",
            ["Email__Smtp__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__Smtp__Security"] = "None",
            // One secret for all hosts, as a deployment configures it (each host would otherwise generate its own).
            ["Privacy__CustomerKeySecret"] = Guid.NewGuid().ToString("N"),
        };
        BenchSession.Progress($"PostgreSQL {version}, database {database.Name}; SMTP sink on 127.0.0.1:{sink.Port}; starting {hostCount} hosts (seed {seed})");
        await using var cluster = new DrillCluster(database.ConnectionString, hostCount, environment);
        using var stop = new CancellationTokenSource();
        await cluster.StartAllAsync(stop.Token);

        var first = cluster.Slots[0];
        var timerDefinition = await TimersBenchmark.PublishAsync(first.Staff);
        var tasks = await TaskClient.CreateAsync(first.Staff);
        var clock = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + maxSeconds;
        var run = Guid.NewGuid().ToString("N")[..8];
        // No new case after the deadline, but the cases under way get two more minutes to reach their answer.
        var traffic = new DrillTraffic(cluster, sink, tasks, FeedbackMix.Load(), run, deadline + TimeSpan.FromMinutes(2));
        var faults = new DrillFaults(cluster, database, random);

        BenchSession.Progress($"traffic: {clients} clients, at least {caseCount} cases; {kills} kills every {minGap.TotalSeconds:0}-{maxGap.TotalSeconds:0} s; PostgreSQL stopped {outage.TotalSeconds:0} s");
        var next = -1;
        var workersDone = 0;
        var faulting = faults.RunAsync(kills, minGap, maxGap, outage, outageAfter, () => Volatile.Read(ref workersDone) > 0 || DateTime.UtcNow >= deadline, stop.Token);
        bool More(int n) => DateTime.UtcNow < deadline && (n < caseCount || (!faulting.IsCompleted && (faults.Kills < kills || !faults.OutageDone)));
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var n = Interlocked.Increment(ref next); More(n); n = Interlocked.Increment(ref next))
                await traffic.RunCaseAsync(n, stop.Token);
            // The first client out of cases ends the faults: later kills would meet no traffic.
            Interlocked.Increment(ref workersDone);
        })).ToList();
        var timerStarts = Task.Run(async () =>
        {
            var starts = new List<Task>();
            for (var n = 0; workers.Any(w => !w.IsCompleted); n++)
            {
                int ahead;
                lock (random) ahead = 5 + random.Next(0, 10);
                var due = DateTimeOffset.UtcNow.AddSeconds(ahead);
                starts.Add(traffic.StartTimerAsync(timerDefinition, $"drill-timer-{run}-{n}", due, stop.Token));
                await Task.Delay(timerEvery);
            }
            await Task.WhenAll(starts);
        });
        var progress = Task.Run(async () =>
        {
            while (workers.Any(w => !w.IsCompleted))
            {
                await Task.WhenAny(Task.WhenAll(workers), Task.Delay(15_000));
                BenchSession.Progress($"{traffic.Cases.Count} cases submitted, {traffic.AnsweredCases} answered, {traffic.Completions} tasks completed, {traffic.SurveysAnswered} surveys answered, {traffic.Timers.Count} timers started, {faults.Kills} kills, {traffic.Retries} client retries, {sink.Mail.Count} mails");
            }
        });
        await Task.WhenAll(workers);
        var faultLog = await faulting;
        await timerStarts;
        await progress;
        var trafficSeconds = clock.Elapsed.TotalSeconds;

        BenchSession.Progress($"traffic done in {trafficSeconds:0} s; settling (at most {settle.TotalSeconds:0} s)");
        var settleClock = Stopwatch.StartNew();
        while (settleClock.Elapsed < settle && !await SettledAsync(database)) await Task.Delay(1000);
        // Late resends and doubled timer firings may still arrive after everything looks settled.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var settled = settleClock.Elapsed.TotalSeconds;
        var verdict = await DrillVerdict.JudgeAsync(database, traffic, sink.Mail, sink.AcceptedThenCut);
        Print(version, hostCount, seed, clients, trafficSeconds, settled, traffic, faultLog, cluster, sink, verdict);
        return verdict.Clean && traffic.Errors.Count == 0 && faultLog.Kills >= kills && faultLog.HostsKeptRunning ? 0 : 1;
    }

    private static async Task<bool> SettledAsync(BenchDatabase database)
    {
        try
        {
            return Convert.ToInt64(await database.ScalarAsync(
                "SELECT (SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL) + (SELECT count(*) FROM workflow_instances WHERE sub_status IN ('Pending', 'Executing', 'Suspended'))")) == 0;
        }
        catch (NpgsqlException) { return false; }
    }

    private static void Print(string version, int hosts, int seed, int clients, double trafficSeconds, double settleSeconds, DrillTraffic traffic,
        FaultLog faults, DrillCluster cluster, DrillSmtpSink sink, DrillVerdict v)
    {
        var errors = traffic.Errors;
        foreach (var e in errors.Take(5)) BenchSession.Progress($"client error: {e}");
        foreach (var e in v.Examples) BenchSession.Progress($"finding: {e}");
        foreach (var e in cluster.ErrorLines.Take(10)) BenchSession.Progress($"host error: {e}");
        new Report("drill")
            .Add("postgres", "PostgreSQL", version)
            .Add("hosts", "host processes (one database, clustered Quartz store, one SMTP sink)", hosts, "", 0)
            .Add("seed", "random seed (kill moments and victims)", seed, "", 0)
            .Add("clients", "concurrent case clients", clients, "", 0)
            .Add("trafficSeconds", "traffic phase", trafficSeconds, "s", 0)
            .Add("settleSeconds", "settle (outbox empty, instances finished)", settleSeconds, "s", 0)
            .Add("kills", "SIGKILLs of a random host", faults.Kills, "", 0)
            .Add("hostStarts", "host starts (first ones included)", cluster.Starts, "", 0)
            .Add("slowestStartSeconds", "slowest host start until ready", cluster.SlowestStartSeconds, "s", 1)
            .Add("pgOutageSeconds", "PostgreSQL stopped (pg_ctl -m fast) for", faults.RecoverySeconds.Count > 0 ? faults.OutageSeconds : double.NaN, faults.OutageNote, 0)
            .Add("pgRecoverySeconds", "hosts serving again after the restart of PostgreSQL (slowest)", faults.RecoverySeconds.Count > 0 ? faults.RecoverySeconds.Max() : double.NaN, "s", 1)
            .Add("pgHostsKeptRunning", "hosts recovered without a restart", faults.RecoverySeconds.Count == 0 ? "n/a" : faults.HostsKeptRunning ? "yes" : "NO")
            .Add("clientRetries", "client requests sent again (dead host, 5xx)", traffic.Retries, "", 0)
            .Add("clientErrors", "client requests failed for good", errors.Count, errors.FirstOrDefault() ?? "", 0)
            .Add("hostErrors", "host error log lines (killed incarnations included)", cluster.ErrorCount, "", 0)
            .Add("cases", "cases submitted (one idempotency key each)", v.CasesSubmitted, "", 0)
            .Add("casesAnswered", "cases answered, workflow finished", v.CasesFound - v.CasesUnanswered, "", 0)
            .Add("tasksCompleted", "task completions answered 200", traffic.Completions, "", 0)
            .Add("surveysAnswered", "satisfaction surveys answered by the customers from the mailed link", traffic.SurveysAnswered, "", 0)
            .Add("mailExpected", "mails in the outbox (distinct Message-IDs)", v.MailExpected, "", 0)
            .Add("mailReceived", "mails received by the sink", sink.Mail.Count, "", 0)
            .Add("smtpSessionsCut", "SMTP sessions cut (host killed mid-session)", sink.SessionsCut, "", 0)
            .Add("timers", "drill timers armed (instance created before its due time)", v.TimersStarted, "", 0)
            .Add("timersStartedLate", "drill timer starts that reached a host after their due time (no timer armed)", v.TimersStartedLate, "", 0)
            .Add("casesLost", "LOST: cases (key without case)", v.CasesLost, "", 0)
            .Add("mailLost", "LOST: mails never received", v.MailLost, "", 0)
            .Add("timersMissed", "LOST: timers not fired / instance not finished", v.TimersMissed, "", 0)
            .Add("casesDoubled", "DOUBLED: cases (key with two cases, or unknown key)", v.CasesDoubled, "", 0)
            .Add("tasksExtra", "DOUBLED: tasks beyond four per case", v.TasksExtra, "", 0)
            .Add("resumedTwice", "DOUBLED: activity executions resumed twice", v.ResumedTwice, "", 0)
            .Add("mailResent", "DOUBLED: mails received again (same Message-ID)", v.MailResent, "", 0)
            .Add("mailResentAfterCut", "  of these, accepted less than 1 s before the sending host was killed (SMTP's window)", v.MailResentAfterCut, "", 0)
            .Add("mailResentLongestCut", "  longest time from such an acceptance to the kill", v.MailResentLongestCutMs, "ms", 1)
            .Add("mailDoubled", "DOUBLED: same mail under two Message-IDs", v.MailDoubled, "", 0)
            .Add("timersDoubled", "DOUBLED: timers fired twice", v.TimersDoubled, "", 0)
            .Add("casesUnanswered", "cases not answered or workflow not finished", v.CasesUnanswered, "", 0)
            .Add("tasksOpen", "tasks still open", v.TasksOpen, "", 0)
            .Add("acknowledgementsWrong", "cases without exactly one acknowledgement mail", v.AcknowledgementsWrong, "", 0)
            .Add("repliesWrong", "cases without exactly one reply mail", v.RepliesWrong, "", 0)
            .Add("mailUnknown", "mails received that no outbox message explains", v.MailUnknown, "", 0)
            .Add("instancesStuck", "instances still running (Pending/Executing/Suspended)", v.InstancesStuck, "", 0)
            .Add("instancesFaulted", "instances faulted or with incidents", v.InstancesFaulted, "", 0)
            .Add("outboxPending", "outbox messages undelivered", v.OutboxPending, "", 0)
            .Json("findings", new JsonArray(v.Examples.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()))
            .Target("target", "0 lost, 0 duplicated over at least 1,000 cases and 20 kills",
                v.Lost == 0 && v.Duplicated == 0 && v.CasesSubmitted >= 1000 && faults.Kills >= 20)
            .Target("clean", "every case answered, nothing stuck, faulted or undelivered, hosts recovered from the outage by themselves",
                v.Clean && errors.Count == 0 && (faults.RecoverySeconds.Count == 0 || faults.HostsKeptRunning))
            .Print();
    }
}

/// <summary>Deletes the drill's outbox journal folder when the drill ends.</summary>
file sealed class JournalFolder(string path) : IDisposable
{
    public void Dispose()
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}
