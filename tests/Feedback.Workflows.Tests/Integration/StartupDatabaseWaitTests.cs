using System.Net;
using System.Net.Sockets;
using Feedback.Workflows.Persistence;
using Microsoft.AspNetCore.Hosting;
using Feedback.Workflows.Tests.Infrastructure;
using Feedback.Workflows.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>A host started while its PostgreSQL server is unreachable (an outage, a supervisor starting it first).</summary>
public sealed class StartupDatabaseWaitTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Start_up_waits_for_the_database_to_come_back_and_then_creates_the_schema()
    {
        var port = FreePort();
        await using var services = Services(port, TimeSpan.FromMinutes(1), out var logs);
        var migrator = ActivatorUtilities.CreateInstance<DatabaseMigrator>(services);

        var start = migrator.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        start.IsCompleted.Should().BeFalse("nothing listens where the database should be, so start-up is still waiting");

        var target = new NpgsqlConnectionStringBuilder(_db.ConnectionString);
        using var forwarder = TcpForwarder.Start(port, target.Host!, target.Port);
        await start.WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        ((long)(await count.ExecuteScalarAsync())!).Should().BeGreaterThan(0, "the schema was created once the database answered");
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("not reachable"));
        logs.Entries.Should().Contain(e => e.Message.Contains("reachable after"));
    }

    [Fact]
    public async Task Start_up_fails_with_the_connection_error_once_the_wait_is_spent()
    {
        await using var services = Services(FreePort(), TimeSpan.FromSeconds(2), out _);
        var migrator = ActivatorUtilities.CreateInstance<DatabaseMigrator>(services);

        var failing = () => migrator.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var thrown = await failing.Should().ThrowAsync<Exception>();
        thrown.Which.GetBaseException().Should().BeOfType<SocketException>("the last connection error is what start-up fails with");
    }

    [Fact]
    public async Task A_start_up_step_that_loses_the_database_waits_for_it_and_runs_again()
    {
        var port = FreePort();
        var target = new NpgsqlConnectionStringBuilder(_db.ConnectionString);
        var folder = Directory.CreateTempSubdirectory("shipped-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "lost.json"), new FlowBuilder().Activity("w", "Elsa.WriteLine").Build("lost-and-found", "Lost and found").ToJsonString());
        await using var services = Services(port, TimeSpan.FromMinutes(1), out var logs, folder);
        var forwarder = TcpForwarder.Start(port, target.Host!, target.Port);
        await ActivatorUtilities.CreateInstance<DatabaseMigrator>(services).StartAsync(CancellationToken.None);

        // The database goes away after the schema step and before the next one: the next step waits for it.
        forwarder.Dispose();
        var loading = services.GetRequiredService<ShippedDefinitionLoader>().StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        loading.IsCompleted.Should().BeFalse("the shipped definitions cannot be stored while the database is away");
        using var back = TcpForwarder.Start(port, target.Host!, target.Port);
        await loading.WaitAsync(TimeSpan.FromSeconds(30));

        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var published = new NpgsqlCommand("SELECT count(*) FROM workflow_definitions WHERE definition_id = 'lost-and-found' AND is_published", connection);
        ((long)(await published.ExecuteScalarAsync())!).Should().Be(1);
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("Start-up step 'shipped definitions' lost the database"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_start_up_step_fails_at_once_on_anything_but_a_lost_database_and_after_the_wait_on_that()
    {
        var logs = new CapturingLoggerProvider();
        var attempts = 0;
        var retry = new StartupRetry(new WorkflowRuntimeOptions { DatabaseWaitAtStartup = TimeSpan.FromSeconds(2) }, new LoggerAdapter(logs.CreateLogger("startup")));

        var broken = () => retry.RunAsync("broken", _ => { attempts++; throw new FormatException("not a database problem"); }, CancellationToken.None);
        await broken.Should().ThrowAsync<FormatException>();
        attempts.Should().Be(1);

        attempts = 0;
        var lost = () => retry.RunAsync("lost", _ => { attempts++; throw new InvalidOperationException("likely transient", new NpgsqlException("cut", new IOException("reset"))); }, CancellationToken.None);
        (await lost.Should().ThrowAsync<InvalidOperationException>()).Which.InnerException.Should().BeOfType<NpgsqlException>();
        attempts.Should().BeInRange(2, 4, "retried with growing pauses (0.5, 1 s) until the 2-s wait was spent");
        logs.Entries.Should().Contain(e => e.Message.Contains("Start-up step 'lost' lost the database (reset)"));
    }

    [Theory]
    [InlineData("two minutes")]
    [InlineData("-00:00:05")]
    [InlineData("02:00:00")]
    public async Task A_wait_that_is_not_a_time_span_up_to_an_hour_stops_start_up_naming_the_setting(string wait)
    {
        await using var host = new TestHost(_db.ConnectionString);
        await using var factory = host.WithWebHostBuilder(b => b.UseSetting("Database:WaitAtStartup", wait));

        var start = () => factory.Services;

        start.Should().Throw<InvalidOperationException>().WithMessage($"Database:WaitAtStartup is '{wait}'; use a time span*");
    }

    private ServiceProvider Services(int port, TimeSpan wait, out CapturingLoggerProvider logs, string? shippedFolder = null)
    {
        var capture = logs = new CapturingLoggerProvider();
        var connectionString = new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Host = "127.0.0.1", Port = port, Timeout = 5 }.ConnectionString;
        return new ServiceCollection()
            .AddLogging(b => b.AddProvider(capture))
            .AddFeedbackWorkflows(o =>
            {
                o.Provider = DatabaseProvider.PostgreSql;
                o.ConnectionString = connectionString;
                o.RunBackgroundWorkers = false;
                o.DatabaseWaitAtStartup = wait;
                o.ShippedDefinitionsFolder = shippedFolder;
            })
            .BuildServiceProvider();
    }

    /// <summary>A typed logger over a captured one.</summary>
    private sealed class LoggerAdapter(ILogger inner) : ILogger<StartupRetry>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Accepts on a loopback port and pipes each connection to the real server, both ways.</summary>
    private sealed class TcpForwarder : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        private TcpForwarder(TcpListener listener) => _listener = listener;

        public static TcpForwarder Start(int port, string host, int targetPort)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            var forwarder = new TcpForwarder(listener);
            _ = forwarder.AcceptAsync(host, targetPort);
            return forwarder;
        }

        private async Task AcceptAsync(string host, int port)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = PipeAsync(client, host, port);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        }

        private async Task PipeAsync(TcpClient client, string host, int port)
        {
            using (client)
            using (var server = new TcpClient())
            {
                try
                {
                    await server.ConnectAsync(host, port, _stop.Token);
                    await using var a = client.GetStream();
                    await using var b = server.GetStream();
                    await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
