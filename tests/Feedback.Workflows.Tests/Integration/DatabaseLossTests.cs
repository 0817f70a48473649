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
    public async Task Outbox_messages_delivered_before_the_connection_is_lost_are_not_sent_again()
    {
        var handler = new RecordingHandler(_db.ConnectionString, dropConnectionOn: "m3");
        await using var host = new TestHost(_db.ConnectionString);
        // One delivery loop, so that the one claim idle in its transaction while m3 is delivered is m3's own.
        await using var factory = host.WithWebHostBuilder(b => b.UseSetting("Workflows:OutboxConcurrency", "1")
            .ConfigureTestServices(s => s.AddSingleton<IOutboxHandler>(handler)));
        _ = factory.Services; // starts the host: schema, dispatcher

        await QueueAndWaitAsync("m", RecordingHandler.MessageType, 5);

        handler.Terminated.Should().Be(1, "the claim's connection must have been cut while m3 was delivered");
        (await CountAsync(_db.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL")).Should().Be(0);
        // m3 was sent when its mark was lost with the connection, so it is sent once more; the others went before or
        // after in commits of their own and are sent exactly once.
        handler.Deliveries.Where(d => d.Key != "m3").Should().OnlyContain(d => d.Value == 1, "a delivery that committed is never repeated");
        handler.Deliveries.Keys.Should().BeEquivalentTo(["m1", "m2", "m3", "m4", "m5"]);
        handler.Deliveries["m3"].Should().Be(2);
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
        await ExecuteAsync(_db.ConnectionString, $"""
            INSERT INTO outbox_messages (id, type, payload, created_at, next_attempt_at, attempts)
            SELECT '{prefix}' || g, '{type}', '{"{}"}', now() + g * interval '1 millisecond', now() - interval '1 second', 0
            FROM generate_series(1, {count}) g
            """);
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

    /// <summary>Records every delivery; while delivering one chosen message, cuts the connection of the claim that holds it.</summary>
    private sealed class RecordingHandler(string connectionString, string dropConnectionOn) : IOutboxHandler
    {
        public const string MessageType = "Test.Recorded";
        private int _dropped;
        private int _terminated;

        public ConcurrentDictionary<string, int> Deliveries { get; } = new();
        /// <summary>How many sessions the cut ended (one: the claim's).</summary>
        public int Terminated => Volatile.Read(ref _terminated);
        public string Type => MessageType;

        public async Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken)
        {
            Deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1);
            if (messageId != dropConnectionOn || Interlocked.Exchange(ref _dropped, 1) == 1) return;
            // The claim's transaction is the one session idle in a transaction after the outbox query.
            var ended = await CountAsync(connectionString, """
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
                  AND query LIKE 'SELECT * FROM outbox_messages%'
                """);
            Volatile.Write(ref _terminated, (int)ended);
        }
    }
}
