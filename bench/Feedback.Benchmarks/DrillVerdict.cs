using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// What the drill judges at the end, from the database and the SMTP sink: every submitted case exists once and is
/// answered with its workflow finished, every task done once, every mail received once, every timer fired once,
/// nothing left running, faulted or undelivered.
/// </summary>
internal sealed record DrillVerdict(
    int CasesSubmitted, int CasesFound, int CasesLost, int CasesDoubled, int CasesUnanswered,
    int TasksOpen, int TasksExtra, int ResumedTwice,
    int MailExpected, int MailLost, int MailResent, int MailResentAfterCut, double MailResentLongestCutMs, int MailDoubled, int MailUnknown, int AcknowledgementsWrong, int RepliesWrong,
    int TimersStarted, int TimersStartedLate, int TimersMissed, int TimersDoubled,
    int InstancesStuck, int InstancesFaulted, int OutboxPending,
    IReadOnlyList<string> Examples)
{
    /// <summary>The shipped general-feedback process opens these four tasks on the drill's forward path.</summary>
    public const int TasksPerCase = 4;

    public int Lost => CasesLost + MailLost + TimersMissed;
    public int Duplicated => CasesDoubled + TasksExtra + ResumedTwice + MailResent + MailDoubled + TimersDoubled;
    public bool Clean => Lost == 0 && Duplicated == 0 && CasesUnanswered == 0 && TasksOpen == 0 && MailUnknown == 0
        && AcknowledgementsWrong == 0 && RepliesWrong == 0 && InstancesStuck == 0 && InstancesFaulted == 0 && OutboxPending == 0;

    public static async Task<DrillVerdict> JudgeAsync(BenchDatabase database, DrillTraffic traffic, IReadOnlyList<SinkMail> mail, IReadOnlyDictionary<string, TimeSpan> acceptedThenCut)
    {
        var examples = new List<string>();
        void Example(string text) { if (examples.Count < 12) examples.Add(text); }
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        // Cases: one per idempotency key, each answered with its workflow finished.
        var keys = traffic.Submitted.ToHashSet();
        var submitted = keys.Count;
        var byKey = new Dictionary<string, List<(string Number, string Status, string? SubStatus, string InstanceId)>>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.idempotency_key, c.number, c.status, i.sub_status, c.workflow_instance_id
            FROM feedback_cases c LEFT JOIN workflow_instances i ON i.id = c.workflow_instance_id
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var key = reader.IsDBNull(0) ? "(none)" : reader.GetString(0);
                if (!byKey.TryGetValue(key, out var list)) byKey[key] = list = [];
                list.Add((reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
            }
        var lost = keys.Where(k => !byKey.ContainsKey(k)).ToList();
        lost.Take(3).ToList().ForEach(k => Example($"no case for key {k}"));
        var doubled = byKey.Where(e => e.Value.Count > 1 || !keys.Contains(e.Key)).ToList();
        doubled.Take(3).ToList().ForEach(e => Example($"key {e.Key}: {string.Join(", ", e.Value.Select(v => v.Number))}"));
        var cases = byKey.Where(e => keys.Contains(e.Key)).SelectMany(e => e.Value).ToList();
        var unanswered = cases.Where(c => c.Status is not ("Replied" or "Closed") || c.SubStatus != "Finished").ToList();
        unanswered.Take(3).ToList().ForEach(c => Example($"case {c.Number}: {c.Status}, workflow {c.SubStatus ?? "missing"}"));

        // Tasks: none open, exactly four per case (a doubled step would open a fifth).
        var tasksOpen = await CountAsync(connection, "SELECT count(*) FROM feedback_tasks WHERE status <> 'Completed'");
        var tasksExtra = await CountAsync(connection,
            $"SELECT coalesce(sum(n - {TasksPerCase}), 0) FROM (SELECT count(*) AS n FROM feedback_tasks GROUP BY case_number HAVING count(*) > {TasksPerCase}) t");
        // A bookmark resumed twice shows as two Resumed entries of one activity execution. The SLA deadline is
        // left out: it waits on one timer after another within one execution, by design.
        var resumedTwice = await CountAsync(connection, """
            SELECT count(*) FROM (SELECT 1 FROM workflow_journal WHERE event_name = 'Resumed' AND activity_type NOT LIKE '%SlaDeadline%'
            GROUP BY workflow_instance_id, activity_instance_id HAVING count(*) > 1) t
            """);

        // Mail: every e-mail outbox message received exactly once (by its Message-ID), nothing received that the
        // outbox never held, and per case one acknowledgement and one reply.
        var outboxIds = new HashSet<string>();
        await using (var command = new NpgsqlCommand("SELECT id FROM outbox_messages WHERE type = 'Feedback.Email'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) outboxIds.Add(reader.GetString(0) + "@feedback-workflows");
        var received = mail.GroupBy(m => m.MessageId).ToDictionary(g => g.Key, g => g.Count());
        var mailLost = outboxIds.Count(id => !received.ContainsKey(id));
        var mailResent = received.Values.Sum(c => c - 1);
        // Cut within a second of the acceptance: the kill came before the host could have read the answer and noted it.
        var resentCuts = received.Where(r => r.Value > 1 && acceptedThenCut.ContainsKey(r.Key)).Select(r => (r.Value - 1, acceptedThenCut[r.Key])).ToList();
        var mailResentAfterCut = resentCuts.Where(r => r.Item2 < TimeSpan.FromSeconds(1)).Sum(r => r.Item1);
        var mailResentLongestCutMs = resentCuts.Count == 0 ? 0 : resentCuts.Max(r => r.Item2.TotalMilliseconds);
        if (resentCuts.Count > 0)
            Example("resent mails' host killed after their acceptance (ms): " + string.Join(", ", resentCuts.Select(r => r.Item2.TotalMilliseconds).Order().Select(ms => ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))));
        var mailUnknown = received.Keys.Count(id => !outboxIds.Contains(id));
        received.Where(r => r.Value > 1).Take(3).ToList().ForEach(r => Example($"mail {r.Key} received {r.Value} times"));
        // The same mail under two Message-IDs (two outbox messages for one step) is a doubled step, not a resend.
        var distinct = mail.DistinctBy(m => m.MessageId).ToList();
        var mailDoubled = distinct.GroupBy(m => (m.CaseNumber, m.Kind, m.To, m.Subject)).Sum(g => g.Count() - 1);
        var numbers = cases.Select(c => c.Number).ToHashSet();
        int Wrong(string kind) => numbers.Count(n => distinct.Count(m => m.CaseNumber == n && m.Kind == kind) != 1);
        var acknowledgementsWrong = Wrong("Acknowledgement");
        var repliesWrong = Wrong("Result");

        // Timers of the drill flow: each started instance resumed exactly once by its timer, and finished.
        // A start that reached a host only after its due time (retried past a dead host or the outage) arms no timer:
        // StartAt completes at once. Those are counted apart, not as misses.
        var started = traffic.Timers.ToDictionary();
        var timerResumes = new Dictionary<string, (long Resumed, string SubStatus)>();
        var late = new HashSet<string>();
        await using (var command = new NpgsqlCommand("""
            SELECT i.id, (SELECT count(*) FROM workflow_journal j WHERE j.workflow_instance_id = i.id AND j.event_name = 'Resumed' AND j.activity_id = 'wait'), i.sub_status, i.created_at
            FROM workflow_instances i WHERE i.id = ANY(@ids)
            """, connection))
        {
            command.Parameters.AddWithValue("ids", started.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var id = reader.GetString(0);
                if (reader.GetFieldValue<DateTimeOffset>(3) >= started[id]) late.Add(id);
                else timerResumes[id] = (reader.GetInt64(1), reader.GetString(2));
            }
        }
        var timers = started.Keys.Where(t => !late.Contains(t)).ToArray();
        var timersMissed = timers.Count(t => !timerResumes.TryGetValue(t, out var r) || r.Resumed == 0 || r.SubStatus != "Finished");
        var timersDoubled = timerResumes.Values.Count(r => r.Resumed > 1);
        timers.Where(t => !timerResumes.TryGetValue(t, out var r) || r.Resumed != 1).Take(3).ToList()
            .ForEach(t => Example($"timer {t}: {(timerResumes.TryGetValue(t, out var r) ? $"{r.Resumed} Resumed, {r.SubStatus}" : "no instance")}"));

        var stuck = await CountAsync(connection, "SELECT count(*) FROM workflow_instances WHERE sub_status NOT IN ('Finished', 'Faulted', 'Cancelled')");
        var faulted = await CountAsync(connection, "SELECT count(*) FROM workflow_instances WHERE sub_status = 'Faulted' OR incident_count > 0");
        var outboxPending = await CountAsync(connection, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL");
        if (outboxPending > 0)
            Example("outbox: " + await TextAsync(connection, "SELECT string_agg(type || ' ' || attempts || ' attempts: ' || coalesce(last_error, '-'), ' | ') FROM (SELECT * FROM outbox_messages WHERE delivered_at IS NULL LIMIT 3) t"));

        return new DrillVerdict(submitted, cases.Count, lost.Count, doubled.Sum(e => e.Value.Count - (keys.Contains(e.Key) ? 1 : 0)), unanswered.Count,
            tasksOpen, tasksExtra, resumedTwice,
            outboxIds.Count, mailLost, mailResent, mailResentAfterCut, Math.Round(mailResentLongestCutMs, 1), mailDoubled, mailUnknown, acknowledgementsWrong, repliesWrong,
            timers.Length, late.Count, timersMissed, timersDoubled, stuck, faulted, outboxPending, examples);
    }

    private static async Task<int> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static async Task<string> TextAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync()) ?? "";
    }
}
