using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>
/// SLA deadlines in real time on three host processes sharing one PostgreSQL database and Quartz's clustered store:
/// every overdue complaint is warned and escalated exactly once, also when a host dies with SIGKILL mid-run.
/// </summary>
public sealed class SlaEscalationCrashTests : IAsyncLifetime
{
    private const int Complaints = 300;
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(3);
    private PostgresDatabase _db = null!;
    private string _dataFolder = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _dataFolder = Directory.CreateTempSubdirectory("sla-crash-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_dataFolder, recursive: true);
    }

    /// <summary>The process new cases start: a 3-second response deadline (calendar time) that escalates to the quality head.</summary>
    private static JsonObject DeadlineFlow() => new FlowBuilder()
        .Activity("start", "Elsa.Start")
        .Activity("deadline", "Feedback.SlaDeadline", Inputs(
            ("clock", Lit("Response")), ("within", In("Literal", "00:00:03", "TimeSpan")), ("calendarTime", In("Literal", true, "Boolean")),
            ("warnAt", Lit("50")), ("escalateUpTo", In("Literal", 1, "Int32")), ("department", Lit("quality")),
            ("reason", Lit("Nobody responded within 3 seconds."))))
        .Activity("end", "Elsa.End")
        .Connect("start", "deadline")
        .Connect("deadline", "end", "Breached")
        .Connect("deadline", "end", "Met")
        .Build(definitionId: "general-feedback", name: "Response deadline");

    private Task<HostProcess> StartHostAsync() => HostProcess.StartAsync(_db.ConnectionString, settings: new Dictionary<string, string>
    {
        ["DataFolder"] = _dataFolder,
        ["Directory__SeedFile"] = Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json"),
        ["Sla__PoliciesFile"] = "", // only the flow's own clock: the test counts its escalations
    });

    [Fact]
    public async Task Three_hosts_escalate_300_overdue_complaints_exactly_once_even_when_one_is_killed()
    {
        await using var a = await StartHostAsync();
        await using var b = await StartHostAsync();
        var c = await StartHostAsync();
        await a.Client.PublishAsync(DeadlineFlow());
        var hosts = new[] { a, b, c };

        var started = DateTime.UtcNow;
        var killer = Task.Run(async () =>
        {
            // Mid-run: submissions still arriving, early deadlines already firing on every host.
            await Task.Delay(Target + TimeSpan.FromSeconds(1));
            c.Kill();
        });
        var submitted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Complaints), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
        {
            // Host C dies during the run; what it had not answered is submitted again elsewhere (an Idempotency-Key
            // makes the retry find the case if C had stored it).
            for (var attempt = 0; ; attempt++)
            {
                var host = hosts[(i + attempt) % 3];
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/feedback")
                {
                    Content = JsonContent.Create(new { channel = "WebForm", customerName = $"Customer {i}", customerEmail = $"customer{i}@example.com", content = $"Complaint {i}: the lid of my can was dented." }),
                };
                request.Headers.Add("Idempotency-Key", $"sla-crash-{i}");
                try
                {
                    var response = await host.Client.SendAsync(request, ct);
                    if ((int)response.StatusCode is 200 or 201) { Interlocked.Increment(ref submitted); return; }
                    if (host != c) response.EnsureSuccessStatusCode();
                }
                catch (HttpRequestException) when (host == c) { }
            }
        });
        await killer;
        c.Kill();
        await c.DisposeAsync();
        submitted.Should().Be(Complaints);

        // A dead node's acquired triggers are recovered after Quartz's check-in threshold (20 s).
        var until = DateTime.UtcNow.AddSeconds(90);
        Dictionary<string, Counts> counts;
        do
        {
            await Task.Delay(1000);
            counts = await CountsAsync();
        } while ((counts.Count < Complaints || counts.Values.Any(x => x.Escalated == 0)) && DateTime.UtcNow < until);

        counts.Should().HaveCount(Complaints);
        counts.Values.Where(x => x.Escalated != 1).Should().BeEmpty($"every complaint escalates exactly once (after {DateTime.UtcNow - started}); host A said:\n{a.Output}");
        counts.Values.Where(x => x.Warned != 1 || x.Breached != 1).Should().BeEmpty("one warning and one breach each");
        counts.Values.Should().OnlyContain(x => x.Level == 1);
        counts.Values.Should().OnlyContain(x => x.EscalatedAt >= x.StartedAt + Target - TimeSpan.FromMilliseconds(1), "never before the deadline");
        (await FinishedAsync()).Should().Be(Complaints);
    }

    private sealed record Counts(int Level, long Escalated, long Warned, long Breached, DateTimeOffset StartedAt, DateTimeOffset? EscalatedAt);

    private async Task<Dictionary<string, Counts>> CountsAsync()
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT c.number, c.escalation_level,
                   count(*) FILTER (WHERE h.action = 'Escalated'), count(*) FILTER (WHERE h.action = 'SlaWarning'),
                   count(*) FILTER (WHERE h.action = 'SlaBreached'),
                   (SELECT k.started_at FROM sla_case_clocks k WHERE k.case_number = c.number AND k.name = 'Response'),
                   min(h.at) FILTER (WHERE h.action = 'Escalated')
            FROM feedback_cases c LEFT JOIN feedback_case_history h ON h.case_id = c.id
            GROUP BY c.number, c.escalation_level
            """, connection);
        var result = new Dictionary<string, Counts>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[reader.GetString(0)] = new Counts(reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.IsDBNull(5) ? DateTimeOffset.MaxValue : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
        return result;
    }

    private async Task<long> FinishedAsync()
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM workflow_instances WHERE sub_status = 'Finished'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
