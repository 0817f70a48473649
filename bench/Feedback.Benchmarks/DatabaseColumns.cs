using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>Reads a whole result column, for checks that compare sets (case numbers, links) rather than counts.</summary>
internal static class DatabaseColumns
{
    /// <summary>The first column of every row of <paramref name="sql"/>, as text (null for SQL NULL).</summary>
    public static async Task<List<string?>> ColumnAsync(this BenchDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string?>();
        while (await reader.ReadAsync()) values.Add(reader.IsDBNull(0) ? null : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return values;
    }
}
