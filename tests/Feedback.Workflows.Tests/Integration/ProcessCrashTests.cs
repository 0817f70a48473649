using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Real host processes killed with SIGKILL: nothing is lost and nothing runs twice.</summary>
public sealed class ProcessCrashTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static JsonObject DelayFlow(string delay) => new FlowBuilder().Variable("Greeting", "String")
        .Activity("start", "Elsa.Start")
        .Activity("set", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "greeting-id" }), ("value", Lit("hello"))))
        .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit(delay))))
        .Activity("end", "Elsa.End")
        .Chain("start", "set", "delay", "end").Build(name: "Delay flow");

    [Fact]
    public async Task A_host_killed_during_a_delay_finishes_the_instance_once_after_restart()
    {
        string id;
        await using (var host = await HostProcess.StartAsync(_db.ConnectionString))
        {
            var definitionId = await host.Client.PublishAsync(DelayFlow("00:00:03"));
            var run = await host.Client.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
            id = (string)run["workflowState"]!["id"]!;
            ((string?)run["workflowState"]!["subStatus"]).Should().Be("Suspended");
            await Task.Delay(1000);
            host.Kill();
        }

        await using var restarted = await HostProcess.StartAsync(_db.ConnectionString);
        var done = await restarted.Client.WaitForAsync(id, "Finished", TimeSpan.FromSeconds(60));
        ((string?)done["subStatus"]).Should().Be("Finished", restarted.Output);
        (await ResumeCountsAsync()).Should().Equal(new Dictionary<string, long> { [id] = 1 });
    }

    [Fact]
    public async Task Two_host_processes_share_200_timers_and_each_fires_once_even_when_one_is_killed()
    {
        var a = await HostProcess.StartAsync(_db.ConnectionString);
        await using var b = await HostProcess.StartAsync(_db.ConnectionString);
        var definitionId = await a.Client.PublishAsync(DelayFlow("00:00:05"));
        var ids = new List<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var client = i % 2 == 0 ? a.Client : b.Client;
            var run = await client.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
            lock (ids) ids.Add((string)run["workflowState"]!["id"]!);
        });

        // Kill one host before the timers are due, then bring it back: its share must still fire, once.
        a.Kill();
        await a.DisposeAsync();
        await using var again = await HostProcess.StartAsync(_db.ConnectionString);

        var until = DateTime.UtcNow.AddSeconds(90);
        Dictionary<string, string> statuses;
        do
        {
            await Task.Delay(500);
            statuses = await StatusesAsync();
        } while (statuses.Values.Any(s => s != "Finished") && DateTime.UtcNow < until);

        statuses.Should().HaveCount(200);
        statuses.Values.Should().AllBe("Finished", $"host B said:\n{b.Output}");
        var resumes = await ResumeCountsAsync();
        resumes.Keys.Should().BeEquivalentTo(ids);
        resumes.Values.Should().AllBeEquivalentTo(1L);
    }

    private async Task<Dictionary<string, long>> ResumeCountsAsync()
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT workflow_instance_id, count(*) FROM workflow_journal WHERE event_name = 'Resumed' GROUP BY workflow_instance_id", connection);
        var result = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result[reader.GetString(0)] = reader.GetInt64(1);
        return result;
    }

    private async Task<Dictionary<string, string>> StatusesAsync()
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, sub_status FROM workflow_instances", connection);
        var result = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result[reader.GetString(0)] = reader.GetString(1);
        return result;
    }
}
