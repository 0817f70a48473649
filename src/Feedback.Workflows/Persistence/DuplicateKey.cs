using Microsoft.Data.Sqlite;
using Npgsql;

namespace Feedback.Workflows.Persistence;

/// <summary>Recognises a unique-key violation on either provider, wherever EF Core or ADO.NET wrapped it.</summary>
internal static class DuplicateKey
{
    private const int SqliteConstraint = 19, SqlitePrimaryKey = 1555, SqliteUnique = 2067;

    /// <summary>Whether <paramref name="exception"/> or one it wraps is a primary-key or unique violation.</summary>
    public static bool In(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            if (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }
                or SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqlitePrimaryKey or SqliteUnique })
                return true;
        return false;
    }
}
