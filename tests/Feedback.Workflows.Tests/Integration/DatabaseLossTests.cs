using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>What a host does when its database connection goes away mid-work (PostgreSQL restarted, network cut).</summary>
public sealed class DatabaseLossTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Deliveries_the_database_cannot_record_are_recorded_once_it_can_and_never_sent_again()
    {
        var handler = new RecordingHandler();
        await using var host = new TestHost(_db.ConnectionString);
        await using var factory = host.WithWebHostBuilder(b => b.UseSetting("Workflows:OutboxConcurrency", "1")
            .ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
        _ = factory.Services; // starts the host: schema, dispatcher
        // The database refuses to record a delivery while the table has a row: the host sent the message and cannot say so.
        await ExecuteAsync(_db.ConnectionString, """
            CREATE TABLE refuse_marks (x int);
            INSERT INTO refuse_marks VALUES (1);
            CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.delivered_at IS NOT NULL AND EXISTS (SELECT 1 FROM refuse_marks) THEN RAISE EXCEPTION 'marks refused for the test'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_mark BEFORE UPDATE ON outbox_messages FOR EACH ROW EXECUTE FUNCTION refuse_mark();
            """);

        await QueueAsync("m", RecordingHandler.MessageType, 5);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (handler.Deliveries.Count < 5 && DateTime.UtcNow < until) await Task.Delay(100);
        await Task.Delay(TimeSpan.FromSeconds(3)); // three of the dispatcher's rounds, each failing to record
        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NOT NULL")).Should().Be(0, "the database refused every record");
        handler.Deliveries.Should().HaveCount(5).And.OnlyContain(d => d.Value == 1, "the claim's lease keeps a sent message from being taken again");

        await ExecuteAsync(_db.ConnectionString, "DELETE FROM refuse_marks");
        await WaitDeliveredAsync(5);
        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL")).Should().Be(0, "the noted deliveries are recorded once the database takes them");
        handler.Deliveries.Should().HaveCount(5).And.OnlyContain(d => d.Value == 1, "a delivery noted before its record failed is never repeated");
    }

    [Fact]
    public async Task Deliveries_noted_by_a_host_that_was_killed_are_recorded_and_its_unsent_claims_go_at_once()
    {
        var handler = new RecordingHandler();
        var dataFolder = Directory.CreateTempSubdirectory("feedback-outbox-journal-").FullName;
        try
        {
            await using (var first = new TestHost(_db.ConnectionString)) _ = first.Services; // the schema, before the killed host's claims

            // A host claimed k1 and k2 under a lease of two minutes, sent k1 and was killed before it recorded that.
            var lease = DateTimeOffset.UtcNow.AddMinutes(2);
            lease = new DateTimeOffset(lease.UtcTicks - lease.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            await using (var connection = new NpgsqlConnection(_db.ConnectionString))
            {
                await connection.OpenAsync();
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO outbox_messages (id, type, payload, created_at, next_attempt_at, attempts)
                    VALUES ('k1', @type, '{}', now(), @lease, 1), ('k2', @type, '{}', now(), @lease, 1)
                    """, connection);
                insert.Parameters.AddWithValue("type", RecordingHandler.MessageType);
                insert.Parameters.AddWithValue("lease", lease);
                await insert.ExecuteNonQueryAsync();
            }
            var journal = Path.Combine(dataFolder, "outbox-journal");
            Directory.CreateDirectory(journal);
            await File.WriteAllTextAsync(Path.Combine(journal, "killed-1.outbox-journal"), $"C k1 {lease.UtcTicks}\nC k2 {lease.UtcTicks}\nD k1\nD k2");

            await using var host = new TestHost(_db.ConnectionString) { DataFolder = dataFolder };
            await using var factory = host.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
            _ = factory.Services; // the machine's next host starts
            await WaitDeliveredAsync(2); // well inside the lease: nothing waits for it to end

            handler.Deliveries.Keys.Should().BeEquivalentTo(["k2"], "k1 was sent before the kill; k2 was not (its note was cut short)");
            (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL")).Should().Be(0);
            Directory.GetFiles(journal, "killed-*").Should().BeEmpty("a journal is deleted once its notes are recorded");
        }
        finally
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    [Fact]
    public async Task A_host_stopping_mid_round_records_what_it_sent_and_releases_what_it_did_not()
    {
        var handler = new StopWaitingHandler(waitOn: "w2");
        await using var host = new TestHost(_db.ConnectionString);
        var factory = host.WithWebHostBuilder(b => b.UseSetting("Workflows:OutboxConcurrency", "1")
            .ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
        _ = factory.Services;

        await QueueAsync("w", StopWaitingHandler.MessageType, 3);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!handler.Waiting && DateTime.UtcNow < until) await Task.Delay(50);
        handler.Waiting.Should().BeTrue("w2's delivery must be under way when the host stops");
        await factory.DisposeAsync(); // a graceful stop, as in a rolling deploy

        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE id = 'w1' AND delivered_at IS NOT NULL")).Should().Be(1, "w1 was sent");
        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE id IN ('w2', 'w3') AND delivered_at IS NULL AND next_attempt_at <= now()"))
            .Should().Be(2, "what the stopping host did not send is due again at once, not after its lease");
    }

    [Fact]
    public async Task A_host_delivers_with_several_loops_at_once_and_each_message_exactly_once()
    {
        var handler = new SlowHandler(TimeSpan.FromMilliseconds(50));
        await using var host = new TestHost(_db.ConnectionString);
        await using var factory = host.WithWebHostBuilder(b => b.UseSetting("Workflows:OutboxConcurrency", "4")
            .ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
        _ = factory.Services;

        await QueueAndWaitAsync("s", SlowHandler.MessageType, 40);

        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL")).Should().Be(0);
        handler.Deliveries.Should().HaveCount(40).And.OnlyContain(d => d.Value == 1, "the loops skip each other's claimed rows");
        handler.MostAtOnce.Should().BeGreaterThan(1, "four loops were configured").And.BeLessOrEqualTo(4);
    }

    [Fact]
    public async Task The_api_answers_503_while_the_database_is_unreachable_and_serves_again_afterwards()
    {
        await using var host = new TestHost(_db.ConnectionString);
        var api = host.Api();
        (await api.GetAsync("/elsa/api/workflow-instances/none")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);

        var admin = Environment.GetEnvironmentVariable(PostgresDatabase.AdminConnectionStringVariable)!;
        try
        {
            await ExecuteAsync(admin, $"ALTER DATABASE {_db.DatabaseName} ALLOW_CONNECTIONS false");
            await ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_db.DatabaseName}'");

            var response = await api.GetAsync("/elsa/api/workflow-instances/none");
            var body = await response.Content.ReadAsStringAsync();
            // Not 409: a conflict tells a client not to try again, while this is exactly when it should.
            ((int)response.StatusCode).Should().Be(503, body);
        }
        finally
        {
            await ExecuteAsync(admin, $"ALTER DATABASE {_db.DatabaseName} ALLOW_CONNECTIONS true");
        }
        (await api.GetAsync("/elsa/api/workflow-instances/none")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
    }

    /// <summary>
    /// Queues <paramref name="count"/> messages named <paramref name="prefix"/>1, 2... in one statement, so that all are
    /// due at the first claim, and waits (at most 30 s) until as many are marked delivered.
    /// </summary>
    private async Task QueueAndWaitAsync(string prefix, string type, int count)
    {
        await QueueAsync(prefix, type, count);
        await WaitDeliveredAsync(count);
    }

    private Task QueueAsync(string prefix, string type, int count) => ExecuteAsync(_db.ConnectionString, $"""
        INSERT INTO outbox_messages (id, type, payload, created_at, next_attempt_at, attempts)
        SELECT '{prefix}' || g, '{type}', '{"{}"}', now() + g * interval '1 millisecond', now() - interval '1 second', 0
        FROM generate_series(1, {count}) g
        """);

    /// <summary>Waits (at most 30 s) until <paramref name="count"/> messages are marked delivered.</summary>
    private async Task WaitDeliveredAsync(int count)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NOT NULL") < count && DateTime.UtcNow < until)
            await Task.Delay(100);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Takes a while per message and records how many deliveries ran at the same time.</summary>
    private sealed class SlowHandler(TimeSpan duration) : IOutboxHandler
    {
        public const string MessageType = "Test.Slow";
        private int _running;
        private int _most;

        public ConcurrentDictionary<string, int> Deliveries { get; } = new();
        public int MostAtOnce => Volatile.Read(ref _most);
        public string Type => MessageType;

        public async Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most) { }
            try
            {
                Deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1);
                await Task.Delay(duration, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    /// <summary>Records every delivery.</summary>
    private sealed class RecordingHandler : IOutboxHandler
    {
        public const string MessageType = "Test.Recorded";

        public ConcurrentDictionary<string, int> Deliveries { get; } = new();
        public string Type => MessageType;

        public Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken)
        {
            Deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }

    /// <summary>Delivers every message at once except one, on which it waits until the host stops.</summary>
    private sealed class StopWaitingHandler(string waitOn) : IOutboxHandler
    {
        public const string MessageType = "Test.StopWaiting";
        private volatile bool _waiting;

        public bool Waiting => _waiting;
        public string Type => MessageType;

        public async Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken)
        {
            if (messageId != waitOn) return;
            _waiting = true;
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
