using Npgsql;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Npgsql settings the runtime's access pattern needs, applied unless the connection string already sets them.
/// </summary>
/// <remarks>
/// A workflow step opens and closes pooled connections many times for small reads. By default Npgsql resets a
/// connection it takes back (<c>DISCARD ALL</c>), which also drops every prepared statement, so each statement is
/// parsed and planned again. The product keeps no session state (no <c>SET</c>, temporary tables or advisory locks
/// outlive a connection's use), so the reset is skipped, and statements used repeatedly are prepared automatically.
/// </remarks>
public static class PostgresConnectionDefaults
{
    /// <summary>Statements prepared per physical connection (Npgsql's <c>Max Auto Prepare</c>).</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>Returns <paramref name="connectionString"/> with the defaults added where it is silent.</summary>
    /// <exception cref="ArgumentException">Not a valid Npgsql connection string.</exception>
    public static string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare")) builder.MaxAutoPrepare = AutoPreparedStatements;
        if (!Mentions(connectionString, "Auto Prepare Min Usages", "AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));
}
