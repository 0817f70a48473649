using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// A fresh database on the cluster named by <c>FEEDBACK_BENCH_POSTGRES</c> for one benchmark run, dropped afterwards,
/// plus the server-side counters the benchmarks read.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const string AdminConnectionStringVariable = "FEEDBACK_BENCH_POSTGRES";

    private readonly string _adminConnectionString;

    private BenchDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlConnectionStringBuilder Settings => new(ConnectionString);

    /// <exception cref="BenchmarkException">The variable is unset or the server cannot be reached.</exception>
    public static async Task<BenchDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(AdminConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(admin))
            throw new BenchmarkException($"{AdminConnectionStringVariable} is not set: run ./scripts/bench.sh, which starts a throw-away PostgreSQL.");
        var database = new BenchDatabase(admin, $"feedback_bench_{Guid.NewGuid():N}");
        try { await ExecuteAsync(admin, $"CREATE DATABASE {database.Name} TEMPLATE template0 ENCODING 'UTF8'"); }
        catch (NpgsqlException e) { throw new BenchmarkException($"cannot create the benchmark database: {e.Message}"); }
        return database;
    }

    public async Task<string> ServerVersionAsync() => (string)(await ScalarAsync("SHOW server_version"))!;

    /// <summary>Runs <paramref name="sql"/> in the benchmark database and returns the first column of the first row.</summary>
    public Task<object?> ScalarAsync(string sql) => ScalarAsync(ConnectionString, sql);

    /// <summary>
    /// Gathers planner statistics for every table, as autovacuum does in a database in service. The runner's database is
    /// minutes old: without this, the measured phase runs on plans cached while its tables were empty (a primary-key
    /// look-up planned as a scan of every timer, for one), which a database in service re-plans once autovacuum has
    /// analysed it.
    /// </summary>
    public Task AnalyzeAsync() => ExecuteAsync(ConnectionString, "ANALYZE");

    /// <summary>
    /// Writing transactions so far (every one that took a transaction id, cluster-wide) and WAL bytes so far. Both
    /// are exact at once, unlike pg_stat_database, whose counters reach readers up to seconds late.
    /// </summary>
    public async Task<(long Transactions, long WalBytes)> WriteCountersAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT txid_snapshot_xmax(txid_current_snapshot()), pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The postmaster's process id when the cluster runs on this machine and its data folder is readable.</summary>
    public async Task<int?> PostmasterPidAsync()
    {
        try
        {
            var dataDirectory = (string?)await ScalarAsync("SHOW data_directory");
            var pidFile = Path.Combine(dataDirectory ?? "", "postmaster.pid");
            return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid) ? pid : null;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await ExecuteAsync(_adminConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)"); }
        catch (NpgsqlException e) { Console.Error.WriteLine($"warning: could not drop {Name}: {e.Message}"); }
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public Task ExecuteAsync(string sql) => ExecuteAsync(ConnectionString, sql);
}

/// <summary>SQL statements the host sent, by kind, from pg_stat_statements (when the cluster preloads it).</summary>
internal sealed record StatementCounts(long All, long ConnectionResets, long Savepoints, long Commits, long Writes)
{
    /// <summary>Clears the statistics; false when pg_stat_statements is not available, and the counts stay unknown.</summary>
    public static async Task<bool> ResetAsync(BenchDatabase database)
    {
        try
        {
            await database.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            await database.ScalarAsync("SELECT pg_stat_statements_reset()");
            return true;
        }
        catch (PostgresException) { return false; }
    }

    /// <summary>Counts since the last reset, for the benchmark database only.</summary>
    public static async Task<StatementCounts> ReadAsync(BenchDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(calls), 0)::bigint,
                   coalesce(sum(calls) FILTER (WHERE query = 'DISCARD ALL'), 0)::bigint,
                   coalesce(sum(calls) FILTER (WHERE query ~* '^(RELEASE )?SAVEPOINT'), 0)::bigint,
                   coalesce(sum(calls) FILTER (WHERE query ~* '^COMMIT'), 0)::bigint,
                   coalesce(sum(calls) FILTER (WHERE query ~* '^(INSERT|UPDATE|DELETE)'), 0)::bigint
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query !~* 'pg_stat_statements|txid_current_snapshot|^SELECT count'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new StatementCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>The <paramref name="limit"/> statements that took the most time since the last reset, with calls and milliseconds.</summary>
    public static async Task<IReadOnlyList<(long Calls, double Milliseconds, string Query)>> TopAsync(BenchDatabase database, int limit)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT sum(calls)::bigint, sum(total_exec_time)::float8, regexp_replace(query, '\s+', ' ', 'g') AS q
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query !~* 'pg_stat_statements|txid_current_snapshot|^SELECT count'
            GROUP BY q ORDER BY 2 DESC LIMIT $1
            """, connection);
        command.Parameters.AddWithValue(limit);
        var top = new List<(long, double, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) top.Add((reader.GetInt64(0), reader.GetDouble(1), reader.GetString(2)));
        return top;
    }
}

/// <summary>Runs <c>pgbench</c> against the benchmark database: the same cluster's rate of small durable commits.</summary>
internal static partial class PgBench
{
    public const string Script = "INSERT INTO bench_rows(v) VALUES (random());";

    /// <summary>Transactions per second (without connection set-up) of <see cref="Script"/> with <paramref name="clients"/> clients.</summary>
    /// <exception cref="BenchmarkException">pgbench is missing, fails or prints no rate.</exception>
    public static async Task<double> RunAsync(BenchDatabase database, int clients, TimeSpan duration)
    {
        await database.ExecuteAsync("CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, v double precision NOT NULL)");
        var script = Path.Combine(Path.GetTempPath(), $"feedback-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, Script + "\n");
        try
        {
            var settings = database.Settings;
            var info = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // -n: no vacuum of pgbench's own tables, which this script does not use.
            foreach (var arg in new[]
                     {
                         "-n", "-c", clients.ToString(CultureInfo.InvariantCulture),
                         "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
                         "-T", ((int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                         "-f", script, "-h", settings.Host!, "-p", settings.Port.ToString(CultureInfo.InvariantCulture),
                         "-U", settings.Username ?? "postgres", settings.Database!,
                     })
                info.ArgumentList.Add(arg);
            if (!string.IsNullOrEmpty(settings.Password)) info.Environment["PGPASSWORD"] = settings.Password;

            using var process = Process.Start(info) ?? throw new BenchmarkException("could not start pgbench");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(duration + TimeSpan.FromSeconds(60));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new BenchmarkException("pgbench did not finish in time");
            }
            var text = await output + await errors;
            var tps = TpsPattern().Match(text);
            if (process.ExitCode != 0 || !tps.Success) throw new BenchmarkException($"pgbench failed ({process.ExitCode}):\n{text}");
            return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally { File.Delete(script); }
    }

    /// <summary>FEEDBACK_PGBENCH, else pgbench on PATH, else the newest Debian server package's copy.</summary>
    private static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable("FEEDBACK_PGBENCH");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "pgbench")).FirstOrDefault(File.Exists);
        if (onPath is not null) return onPath;
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pgbench")).Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return debian ?? throw new BenchmarkException("pgbench not found: install Debian's 'postgresql' (or 'postgresql-client') package or set FEEDBACK_PGBENCH");
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();
}
