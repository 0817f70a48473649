using System.Net;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>
/// One transaction per burst, on PostgreSQL: when the database refuses the last write of a step (here its outbox row),
/// nothing of the step is kept (state, bookmark, journal), and the step run again later writes everything once.
/// </summary>
public sealed class CommitAtomicityTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static JsonObject PublishingFlow() => new FlowBuilder()
        .Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("go"))))
        .Activity("publish", "Elsa.PublishEvent", Inputs(("eventName", Lit("rectified"))))
        .Activity("name", "Elsa.SetName", Inputs(("value", Lit("published"))))
        .Chain("wait", "publish", "name").Build(name: "Publishing flow");

    [Fact]
    public async Task A_step_whose_outbox_write_fails_leaves_nothing_behind_and_its_retry_writes_everything_once()
    {
        await using var host = new TestHost(_db.ConnectionString);
        var api = host.Api();
        var definitionId = await api.PublishAsync(PublishingFlow());
        var run = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var id = (string)run["workflowState"]!["id"]!;
        var bookmarkId = (string)run["workflowState"]!["bookmarks"]![0]!["id"]!;
        var journalBefore = await CountAsync("SELECT count(*) FROM workflow_journal WHERE workflow_instance_id = @id", id);

        await ExecuteAsync("""
            CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox refused for the test'; END $$;
            CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox_messages FOR EACH ROW EXECUTE FUNCTION refuse_outbox();
            """);
        var refused = await api.PostAsync($"/elsa/api/bookmarks/{bookmarkId}/resume", null);
        refused.IsSuccessStatusCode.Should().BeFalse(await refused.Content.ReadAsStringAsync());

        var instance = await api.GetJsonAsync($"/elsa/api/workflow-instances/{id}");
        ((string?)instance["subStatus"]).Should().Be("Suspended", "the step's new state was not kept");
        instance["workflowState"]!["bookmarks"]!.AsArray().Select(b => (string?)b!["id"]).Should().Equal([bookmarkId], "the bookmark it consumed is still there");
        (await CountAsync("SELECT count(*) FROM workflow_journal WHERE workflow_instance_id = @id", id)).Should().Be(journalBefore, "no journal line of the failed step");
        (await CountAsync("SELECT count(*) FROM bookmarks WHERE workflow_instance_id = @id", id)).Should().Be(1);

        await ExecuteAsync("DROP TRIGGER refuse_outbox ON outbox_messages;");
        var resumed = await api.PostAsync($"/elsa/api/bookmarks/{bookmarkId}/resume", null);
        resumed.StatusCode.Should().Be(HttpStatusCode.OK, await resumed.Content.ReadAsStringAsync());

        var finished = await api.WaitForAsync(id, "Finished", TimeSpan.FromSeconds(20));
        ((string?)finished["name"] ?? (string?)finished["workflowState"]!["name"]).Should().Be("published");
        (await CountAsync("SELECT count(*) FROM outbox_messages WHERE workflow_instance_id = @id", id)).Should().Be(1, "the event is published once");
        (await CountAsync("SELECT count(*) FROM workflow_journal WHERE workflow_instance_id = @id AND activity_id = 'publish' AND event_name = 'Completed'", id)).Should().Be(1);
        (await CountAsync("SELECT count(*) FROM bookmarks WHERE workflow_instance_id = @id", id)).Should().Be(0);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql, string id)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
