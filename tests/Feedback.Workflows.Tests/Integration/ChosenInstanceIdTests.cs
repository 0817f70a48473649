using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Starts and dispatches with a caller-chosen instance id are idempotent, also when another host takes the same id at once.</summary>
public sealed class ChosenInstanceIdTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_start_that_loses_its_id_to_another_host_at_the_last_moment_answers_with_that_hosts_instance()
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("started")))).Build(name: "Chosen id"));
        var template = (string)(await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject()))["workflowState"]!["id"]!;
        var id = "order-" + Guid.NewGuid().ToString("N");

        // Another host stores an instance with the id, and commits only once this host's start has looked for the id,
        // found none, run its step and is waiting to insert the same key.
        await using var other = new NpgsqlConnection(_db.ConnectionString);
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO workflow_instances (id, definition_id, definition_version_id, version, status, sub_status, correlation_id, name,
                incident_count, state, created_at, updated_at, finished_at)
            SELECT @id, definition_id, definition_version_id, version, status, sub_status, correlation_id, name,
                incident_count, replace(state, @template, @id), created_at, updated_at, finished_at
            FROM workflow_instances WHERE id = @template
            """, other, tx))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("template", template);
            (await insert.ExecuteNonQueryAsync()).Should().Be(1);
        }
        var start = api.PostAsJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject { ["instanceId"] = id });
        await WaitForLockWaitAsync(other, tx);
        await tx.CommitAsync();

        var response = await start;
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        ((string?)JsonNode.Parse(text)!["workflowState"]!["id"]).Should().Be(id);
        var stored = await api.PostJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["definitionId"] = definitionId, ["pageSize"] = 100 });
        stored["items"]!.AsArray().Select(i => (string?)i!["id"]).Should().BeEquivalentTo([template, id]);
    }

    /// <summary>Waits until a session of this test's database waits for a lock, as the start's insert does behind the open one.</summary>
    private static async Task WaitForLockWaitAsync(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until; await Task.Delay(50))
        {
            await using var query = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection, tx);
            if ((long)(await query.ExecuteScalarAsync())! > 0) return;
        }
        throw new TimeoutException("The start never waited for the other host's row.");
    }

    [Fact]
    public async Task Dispatching_one_id_twice_answers_with_the_one_instance()
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("dispatched")))).Build(name: "Dispatched"));
        var body = new JsonObject { ["instanceId"] = "dispatch-" + Guid.NewGuid().ToString("N") };

        var first = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/dispatch", body.DeepClone(), expectedStatus: 202);
        var second = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/dispatch", body.DeepClone(), expectedStatus: 202);

        ((string?)second["workflowInstanceId"]).Should().Be((string?)first["workflowInstanceId"]).And.Be((string?)body["instanceId"]);
        (await api.WaitForAsync((string)body["instanceId"]!, "Finished", TimeSpan.FromSeconds(15)))["subStatus"]!.GetValue<string>().Should().Be("Finished");
    }
}
