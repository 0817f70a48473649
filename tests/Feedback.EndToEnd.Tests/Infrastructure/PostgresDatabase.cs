using Npgsql;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A fresh, uniquely named PostgreSQL database for one test (or one test class),
/// created on the server named by <c>FEEDBACK_TEST_POSTGRES</c> and dropped on dispose.
/// A database per test keeps tests independent and lets them run in parallel.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string AdminConnectionStringVariable = "FEEDBACK_TEST_POSTGRES";

    private readonly string _adminConnectionString;
    private int _disposed;

    private PostgresDatabase(string adminConnectionString, string databaseName, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        DatabaseName = databaseName;
        ConnectionString = connectionString;
    }

    public string DatabaseName { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync(CancellationToken cancellationToken = default)
    {
        var adminConnectionString = GetAdminConnectionString();

        // Lower case and unquoted-safe, so the name also works in hand-written SQL.
        var databaseName = $"feedback_test_{Guid.NewGuid():N}";

        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            // template0 never has sessions, so parallel creates cannot trip over
            // "source database is being accessed by other users".
            await using var command = new NpgsqlCommand(
                $"CREATE DATABASE {QuoteIdentifier(databaseName)} TEMPLATE template0 ENCODING 'UTF8'", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString)
        {
            Database = databaseName,
        }.ConnectionString;

        return new PostgresDatabase(adminConnectionString, databaseName, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Idle pooled connections would otherwise be killed by FORCE and surface later
        // as broken connections in whatever pool still holds them.
        using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        // FORCE: a test that leaked a connection must not leave its database behind.
        await using var command = new NpgsqlCommand(
            $"DROP DATABASE IF EXISTS {QuoteIdentifier(DatabaseName)} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string GetAdminConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(AdminConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"{AdminConnectionStringVariable} is not set, so this test has no PostgreSQL server. " +
                "Run the tests with ./scripts/test.sh from the repository root: it starts a throw-away " +
                "PostgreSQL cluster and sets the variable. To use a server of your own, set " +
                $"{AdminConnectionStringVariable} to a superuser connection string for its \"postgres\" database, " +
                "e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres");
        }

        return value;
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
