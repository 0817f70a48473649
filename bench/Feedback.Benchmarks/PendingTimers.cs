using System.Globalization;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// Fills the store with many pending timers far in the future, as copies of one timer the host itself stored: its
/// Quartz rows (<c>qrtz_triggers</c>, <c>qrtz_simple_triggers</c>), its bookmark and its suspended instance.
/// </summary>
/// <remarks>
/// Copying rows the host wrote, rather than writing Quartz's columns from here, keeps the copies genuine whatever the
/// Quartz version stores (trigger type, misfire instruction, serialized job data); only the keys, the ids inside the
/// job data and state, and the due time differ. Each table is copied set-based: the template row joined with
/// <c>generate_series</c> into a temporary table, the keys rewritten there, then inserted back.
/// </remarks>
internal static class PendingTimers
{
    /// <summary>The ids of one timer the host stored: its bookmark, its instance and its due time.</summary>
    public sealed record Template(string BookmarkId, string InstanceId, DateTimeOffset DueAt);

    /// <summary>
    /// Stores <paramref name="count"/> copies of <paramref name="template"/>, copy n due at the template's due time plus
    /// n × <paramref name="spacing"/>, in one transaction.
    /// </summary>
    /// <exception cref="BenchmarkException">The template's rows are not where or what the copy expects.</exception>
    public static async Task FillAsync(BenchDatabase database, Template template, int count, TimeSpan spacing)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var stored = await ScalarAsync(connection, "SELECT next_fire_time FROM qrtz_triggers WHERE trigger_group = 'bookmarks' AND trigger_name = @b",
            ("b", template.BookmarkId));
        // Quartz.NET stores instants as .NET ticks (UTC); check rather than assume, since the arithmetic below relies on it.
        if (stored is not long ticks || ticks != template.DueAt.UtcTicks)
            throw new BenchmarkException($"the template timer {template.BookmarkId} is not stored in qrtz_triggers with next_fire_time = {template.DueAt.UtcTicks} ticks (found {stored ?? "no row"})");

        // The due time appears as text in three forms: the bookmark payload and instance state ("O" of an offset,
        // +00:00), Quartz's job data ("O" of UTC, Z). Each copy gets its own due time in the same forms.
        var dueOffset = template.DueAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        var dueUtc = template.DueAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        const string newDue = "(@due::timestamptz + n * @spacing * interval '1 second')";
        const string isoSeconds = "to_char(" + newDue + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".0000000\"')";
        const string newBookmark = "'bench-pending-b' || lpad(n::text, 7, '0')";
        const string newInstance = "'bench-pending-i' || lpad(n::text, 7, '0')";
        var spacingTicks = spacing.Ticks;

        string Rewrite(string column) =>
            $"replace(replace(replace(replace({column}, @b, {newBookmark}), @i, {newInstance}), @dueOffset, {isoSeconds} || '+00:00'), @dueUtc, {isoSeconds} || 'Z')";

        string[] steps =
        [
            Copy("qrtz_triggers", $"trigger_group = 'bookmarks' AND trigger_name = {Literal(template.BookmarkId)}", count,
                $"trigger_name = {newBookmark}, next_fire_time = next_fire_time + n * @spacingTicks, start_time = start_time + n * @spacingTicks, " +
                $"job_data = convert_to({Rewrite("convert_from(job_data, 'UTF8')")}, 'UTF8')"),
            Copy("qrtz_simple_triggers", $"trigger_group = 'bookmarks' AND trigger_name = {Literal(template.BookmarkId)}", count, $"trigger_name = {newBookmark}"),
            Copy("bookmarks", $"id = {Literal(template.BookmarkId)}", count,
                $"id = {newBookmark}, workflow_instance_id = {newInstance}, resume_at = {newDue}, payload = {Rewrite("payload")}"),
            Copy("workflow_instances", $"id = {Literal(template.InstanceId)}", count, $"id = {newInstance}, state = {Rewrite("state")}"),
        ];
        foreach (var sql in steps)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 600 };
            command.Parameters.AddWithValue("b", template.BookmarkId);
            command.Parameters.AddWithValue("i", template.InstanceId);
            command.Parameters.AddWithValue("due", template.DueAt);
            command.Parameters.AddWithValue("dueOffset", dueOffset);
            command.Parameters.AddWithValue("dueUtc", dueUtc);
            command.Parameters.AddWithValue("spacing", spacing.TotalSeconds);
            command.Parameters.AddWithValue("spacingTicks", spacingTicks);
            await command.ExecuteNonQueryAsync();
        }

        // Every copy must carry its own ids and due time; a template text the rewrite did not recognise would leave the
        // template's values in all of them.
        var stale = await ScalarAsync(connection,
            "SELECT count(*) FROM qrtz_triggers WHERE trigger_name LIKE 'bench-pending-%' AND (position(@b::text in convert_from(job_data, 'UTF8')) > 0 OR position(@dueUtc::text in convert_from(job_data, 'UTF8')) > 0)",
            ("b", template.BookmarkId), ("dueUtc", dueUtc));
        if (stale is not long n || n != 0)
            throw new BenchmarkException($"{stale} copied triggers still carry the template's bookmark id or due time in their job data");
        await transaction.CommitAsync();
        await using (var analyze = new NpgsqlCommand("ANALYZE qrtz_triggers; ANALYZE qrtz_simple_triggers; ANALYZE bookmarks; ANALYZE workflow_instances", connection))
            await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>SQL that copies the row of <paramref name="table"/> matching <paramref name="where"/> @count times with <paramref name="set"/> applied (n = 1..count).</summary>
    /// <remarks>CREATE TABLE AS takes no bind parameters, so its values are literals.</remarks>
    private static string Copy(string table, string where, int count, string set) => $"""
        CREATE TEMP TABLE bench_copy ON COMMIT DROP AS SELECT t.*, g AS n FROM {table} t, generate_series(1, {count}) g WHERE {where};
        UPDATE bench_copy SET {set};
        ALTER TABLE bench_copy DROP COLUMN n;
        INSERT INTO {table} SELECT * FROM bench_copy;
        DROP TABLE bench_copy;
        """;

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync();
    }
}
