using System.Diagnostics;

namespace Feedback.Benchmarks;

/// <summary>
/// Mails per second the outbox delivers to a real SMTP server (the drill's loopback sink), with one host and each
/// number of delivery loops asked for, from a backlog queued in one statement; checks each mail arrived exactly once.
/// </summary>
/// <remarks>
/// The backlog is what a busy system leaves behind: the intake and the drill queue mail faster than one loop sent it.
/// Nothing else runs meanwhile, so the figure is the dispatcher's own ceiling on this machine, and the CPU per mail
/// says where the time goes.
/// </remarks>
internal static class OutboxBenchmark
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var mails = options.Int("mails", 5000);
        var loopCounts = (options.Text("loops") ?? "1,4").Split(',').Select(t => int.TryParse(t, out var n) && n >= 1 ? n
            : throw new BenchmarkException($"--loops takes whole numbers from 1 up, comma-separated; '{t}' is not one")).ToArray();
        var timeout = options.Seconds("timeout-seconds", 300);
        options.RejectUnknown();

        await using var sink = new DrillSmtpSink();
        var report = new Report("outbox").Add("mails", "mails queued per run", mails, "", 0);
        foreach (var loops in loopCounts)
        {
            await using var database = await BenchDatabase.CreateAsync();
            BenchSession.Progress($"outbox: {loops} loop(s), starting the host");
            await using var host = await HostUnderTest.StartAsync(database.ConnectionString, environment: new Dictionary<string, string>
            {
                ["Email__Smtp__Host"] = "127.0.0.1",
                ["Email__Smtp__Port"] = sink.Port.ToString(),
                ["Email__Smtp__Security"] = "None",
                ["Workflows__OutboxConcurrency"] = loops.ToString(),
            });
            var cpu = new CpuMeter(host.Process, await database.PostmasterPidAsync());
            var prefix = $"bench-{loops}-";
            var receivedBefore = sink.Mail.Count;

            var cpu0 = cpu.Take();
            var clock = Stopwatch.StartNew();
            // A staff-task mail's size and shape, each with its own id (the Message-Id the sink counts by).
            await database.ExecuteAsync($"""
                INSERT INTO outbox_messages (id, type, payload, created_at, next_attempt_at, attempts)
                SELECT '{prefix}' || g, 'Feedback.Email',
                       json_build_object('to', 'staff' || (g % 40) || '@cannery.example', 'toName', 'Staff ' || (g % 40),
                                         'subject', 'New task: review case FB-2026-' || lpad(g::text, 6, '0'),
                                         'text', repeat('The case needs your review before the deadline. ', 14),
                                         'caseNumber', 'FB-2026-' || lpad(g::text, 6, '0'), 'message', 'StaffTask')::text,
                       now() + g * interval '1 microsecond', now(), 0
                FROM generate_series(1, {mails}) g
                """);
            while (sink.Mail.Count(m => m.MessageId.StartsWith(prefix, StringComparison.Ordinal)) < mails && clock.Elapsed < timeout)
                await Task.Delay(50);
            var seconds = clock.Elapsed.TotalSeconds;
            var usage = CpuMeter.Between(cpu0, cpu.Take());
            var pending = Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL"));

            var received = sink.Mail.Skip(receivedBefore).Where(m => m.MessageId.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var distinct = received.Select(m => m.MessageId).Distinct().Count();
            if (distinct < mails) throw new BenchmarkException($"{loops} loop(s): {mails - distinct} of {mails} mails did not arrive within {timeout.TotalSeconds:0} s ({pending} still queued)");
            report.Add($"mailsPerSecond{loops}", $"{loops} loop(s): mails delivered per second", mails / seconds, "mails/s")
                .Add($"repeats{loops}", $"{loops} loop(s): mails received more than once", received.Count - distinct, "", 0)
                .Add($"hostCpuMs{loops}", $"{loops} loop(s): host CPU per mail", usage.Host * 1000 / mails, "ms", 2)
                .Add($"postgresCpuMs{loops}", $"{loops} loop(s): PostgreSQL CPU per mail", (usage.Postgres ?? double.NaN) * 1000 / mails, "ms", 2)
                .Add($"cpuUtilization{loops}", $"{loops} loop(s): share of all cores used (host, PostgreSQL, sink)", (usage.Utilization ?? double.NaN) * 100, "%", 0);
        }
        report.Print();
        return 0;
    }
}
