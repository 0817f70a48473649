using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;
using Quartz;
using SchedulingOptions = Feedback.Workflows.Scheduling.SchedulingOptions;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>Schema creation by the scheduler itself, which several processes may attempt at once on an empty database.</summary>
public sealed class SchemaProvisioningTests
{
    private readonly WorkRecorder _recorder = new();

    private static SchedulingOptions Options(string connectionString) => new()
    {
        PostgresConnectionString = connectionString,
        Clustered = true,
        SchedulerName = "provisioning",
    };

    [Fact]
    public async Task Schedulers_starting_together_on_an_empty_database_all_start_and_share_one_schema()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
        await using var database = await PostgresDatabase.CreateAsync(ct);
        var options = Options(database.ConnectionString);
        var nodes = Enumerable.Range(0, 3).Select(i => SchedulerNode.Create($"n{i}", options, _recorder)).ToArray();
        try
        {
            // Started together on separate threads (building a scheduler blocks until its schema is in place), so each
            // one's CREATE TABLE IF NOT EXISTS runs against the others' half-made schema.
            using var go = new ManualResetEventSlim();
            var starts = nodes.Select(n => Task.Run(async () => { go.Wait(ct); await n.StartAsync(ct); }, ct)).ToArray();
            go.Set();
            await Task.WhenAll(starts);
            foreach (var node in nodes)
                (await WaitForStatusAsync(await node.QuartzAsync(ct), SchedulerStatus.Running)).Should().Be(SchedulerStatus.Running);

            (await CountQuartzTablesAsync(database.ConnectionString, ct)).Should().BeGreaterThanOrEqualTo(11);
            await nodes[0].Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
            var calls = await _recorder.WaitUntilAsync(c => c.Count >= 1, TimeSpan.FromSeconds(10));
            calls.Should().ContainSingle(c => c.Id == "bm-1");
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Scheduling_before_the_host_starts_works_on_an_empty_database()
    {
        // The runtime's start-up repair may schedule before the hosted service has started the scheduler.
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
        await using var database = await PostgresDatabase.CreateAsync(ct);
        await using var node = SchedulerNode.Create("n", Options(database.ConnectionString), _recorder);

        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
        await node.StartAsync(ct);

        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 1, TimeSpan.FromSeconds(10));
        calls.Should().ContainSingle(c => c.Id == "bm-1");
    }

    // The hosted service starts the scheduler once the host reports itself started, just after StartAsync returns.
    private static async Task<SchedulerStatus> WaitForStatusAsync(IScheduler scheduler, SchedulerStatus expected)
    {
        for (var i = 0; i < 100 && scheduler.Status != expected; i++)
            await Task.Delay(50);
        return scheduler.Status;
    }

    private static async Task<long> CountQuartzTablesAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select count(*) from information_schema.tables where table_schema = 'public' and table_name like 'qrtz\\_%'", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
