using System.Text;
using Npgsql;

namespace Feedback.Benchmarks;

/// <summary>
/// Fills the store with copies of one case the host itself registered and left waiting on a staff task: its
/// workflow instance and bookmarks (with the Quartz rows of its timers), the case with its history, its task, and its
/// SLA clocks and their events. The journal is not copied: nothing reads it to resume an instance.
/// </summary>
/// <remarks>
/// As in <see cref="PendingTimers"/>, rows the host wrote are copied rather than written from here, so the copies are
/// whatever the current code stores; each table is copied with one <c>INSERT ... SELECT</c> over
/// <c>generate_series</c>. Copy n gets ids of the same length ending in n, case number <c>FB-yyyy-9nnnnnn</c> (outside
/// the range the sequence hands out here) and its own idempotency key; every text, JSON and byte column has the
/// template's ids replaced by the copy's, and generated keys come from their sequences.
/// </remarks>
internal static class SuspendedCopies
{
    /// <summary>The ids of the template case, read from the database.</summary>
    public sealed record Template(string InstanceId, long CaseId, string CaseNumber, string TaskId, string IdempotencyKey, IReadOnlyList<string> BookmarkIds);

    /// <summary>The template: the case of <paramref name="caseNumber"/>, which must wait on exactly one open task.</summary>
    /// <exception cref="BenchmarkException">The case is not in that state.</exception>
    public static async Task<Template> ReadTemplateAsync(BenchDatabase database, string caseNumber)
    {
        await using var connection = await OpenAsync(database);
        var row = await RowAsync(connection, "SELECT workflow_instance_id, id, idempotency_key FROM feedback_cases WHERE number = @p", caseNumber);
        var instance = (string)row[0]!;
        var tasks = await ColumnAsync(connection, "SELECT id FROM feedback_tasks WHERE case_number = @p AND status = 'Open'", caseNumber);
        if (tasks.Count != 1) throw new BenchmarkException($"template case {caseNumber} has {tasks.Count} open tasks, expected one");
        var bookmarks = await ColumnAsync(connection, "SELECT id FROM bookmarks WHERE workflow_instance_id = @p", instance);
        var status = await RowAsync(connection, "SELECT status, sub_status FROM workflow_instances WHERE id = @p", instance);
        if ((string?)status[1] != "Suspended") throw new BenchmarkException($"template instance {instance} is {status[0]}/{status[1]}, not suspended");
        return new Template(instance, (long)row[1]!, caseNumber, tasks[0], (string)row[2]!, bookmarks);
    }

    /// <summary>The case number of copy n (SQL, in terms of <c>g.n</c>) and in C#.</summary>
    public static string NumberOf(Template template, int n) => NumberPrefix(template) + (9_000_000 + n);

    /// <summary>The task id of copy n.</summary>
    public static string TaskIdOf(Template template, int n) => Derived(template.TaskId, n);

    /// <summary>
    /// Stores <paramref name="count"/> copies of <paramref name="template"/> in one transaction and checks that every
    /// copied table gained exactly count times the template's rows, none of them still naming the template.
    /// </summary>
    /// <exception cref="BenchmarkException">A template id is too short to be replaced safely, or a check failed.</exception>
    public static async Task FillAsync(BenchDatabase database, Template template, int count)
    {
        var ids = new List<string> { template.InstanceId, template.TaskId };
        ids.AddRange(template.BookmarkIds);
        if (ids.FirstOrDefault(i => i.Length < 16) is { } shortId) throw new BenchmarkException($"id '{shortId}' is too short to be rewritten without touching other text");
        // Longest first, so an id that contains another is replaced whole.
        var rewrites = ids.OrderByDescending(i => i.Length).Select(i => (Old: i, New: $"{Literal(i[..^7])} || lpad(g.n::text, 7, '0')")).ToList();
        rewrites.Add((template.CaseNumber, NumberSql(template)));
        rewrites.Add((template.IdempotencyKey, $"{Literal(template.IdempotencyKey)} || '-copy-' || g.n"));

        await using var connection = await OpenAsync(database);
        await using var transaction = await connection.BeginTransactionAsync();
        var bookmarkList = string.Join(", ", template.BookmarkIds.Select(Literal));
        var caseId = $"(SELECT c.id FROM feedback_cases c WHERE c.number = {NumberSql(template)})";
        (string Table, string Where, Dictionary<string, string> Set)[] tables =
        [
            ("workflow_instances", $"t.id = {Literal(template.InstanceId)}", []),
            ("bookmarks", $"t.workflow_instance_id = {Literal(template.InstanceId)}", []),
            ("qrtz_triggers", $"t.trigger_name IN ({bookmarkList})", []),
            ("qrtz_simple_triggers", $"t.trigger_name IN ({bookmarkList})", []),
            ("feedback_cases", $"t.id = {template.CaseId}", []),
            ("feedback_case_history", $"t.case_id = {template.CaseId}", new() { ["case_id"] = caseId }),
            ("feedback_tasks", $"t.workflow_instance_id = {Literal(template.InstanceId)}", []),
            ("sla_case_clocks", $"t.case_number = {Literal(template.CaseNumber)}", []),
            ("sla_clock_events", $"t.case_number = {Literal(template.CaseNumber)}", []),
        ];
        foreach (var (table, where, set) in tables)
        {
            var before = await CountAsync(connection, $"SELECT count(*) FROM {table}");
            var template0 = await CountAsync(connection, $"SELECT count(*) FROM {table} t WHERE {where}");
            var sql = await CopySqlAsync(connection, table, where, count, set, rewrites);
            await using (var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 1200 })
                await command.ExecuteNonQueryAsync();
            var added = await CountAsync(connection, $"SELECT count(*) FROM {table}") - before;
            if (added != template0 * count) throw new BenchmarkException($"{table}: {added} rows copied, expected {template0} × {count}");
            BenchSession.Progress($"copied {table}: {added} rows");
        }
        // No copy may still name the template's instance, task or bookmarks, or the copies would resume the template.
        var stale = await CountAsync(connection,
            $"SELECT count(*) FROM workflow_instances WHERE id <> {Literal(template.InstanceId)} AND (position({Literal(template.InstanceId)} in state) > 0 OR position({Literal(template.TaskId)} in state) > 0)");
        stale += await CountAsync(connection,
            $"SELECT count(*) FROM feedback_tasks WHERE id <> {Literal(template.TaskId)} AND (bookmark_id IN ({bookmarkList}) OR workflow_instance_id = {Literal(template.InstanceId)})");
        if (stale != 0) throw new BenchmarkException($"{stale} copies still name the template's instance, task or bookmarks");
        await transaction.CommitAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection) { CommandTimeout = 600 };
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <c>INSERT INTO table (columns) SELECT ... FROM table t, generate_series(1, count) g(n) WHERE where</c>: generated
    /// keys left to their defaults, <paramref name="set"/> taken as given, text-like columns rewritten.
    /// </summary>
    private static async Task<string> CopySqlAsync(NpgsqlConnection connection, string table, string where, int count,
        Dictionary<string, string> set, List<(string Old, string New)> rewrites)
    {
        var columns = new List<(string Name, string Type, bool Generated)>();
        await using (var command = new NpgsqlCommand(
            "SELECT column_name, data_type, is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval(%' FROM information_schema.columns " +
            "WHERE table_schema = current_schema() AND table_name = @t ORDER BY ordinal_position", connection))
        {
            command.Parameters.AddWithValue("t", table);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }
        if (columns.Count == 0) throw new BenchmarkException($"table {table} not found");

        var names = new List<string>();
        var values = new List<string>();
        foreach (var (name, type, generated) in columns)
        {
            if (set.TryGetValue(name, out var given)) { names.Add(Quote(name)); values.Add(given); continue; }
            if (generated) continue;
            names.Add(Quote(name));
            var column = "t." + Quote(name);
            values.Add(type switch
            {
                "text" or "character varying" => Rewrite(column, rewrites),
                "json" or "jsonb" => $"({Rewrite(column + "::text", rewrites)})::{type}",
                "bytea" => $"convert_to({Rewrite($"convert_from({column}, 'UTF8')", rewrites)}, 'UTF8')",
                _ => column,
            });
        }
        return $"INSERT INTO {table} ({string.Join(", ", names)}) SELECT {string.Join(", ", values)} " +
               $"FROM {table} t CROSS JOIN generate_series(1, {count}) AS g(n) WHERE {where}";
    }

    private static string Rewrite(string expression, List<(string Old, string New)> rewrites)
    {
        var sql = new StringBuilder(expression);
        foreach (var (old, replacement) in rewrites) sql.Insert(0, "replace(").Append($", {Literal(old)}, {replacement})");
        return sql.ToString();
    }

    private static string Derived(string id, int n) => id[..^7] + n.ToString("0000000");
    private static string NumberPrefix(Template template) => template.CaseNumber[..(template.CaseNumber.LastIndexOf('-') + 1)];
    private static string NumberSql(Template template) => $"{Literal(NumberPrefix(template))} || (9000000 + g.n)::text";
    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<NpgsqlConnection> OpenAsync(BenchDatabase database)
    {
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<object?[]> RowAsync(NpgsqlConnection connection, string sql, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("p", parameter);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) throw new BenchmarkException($"no row for {parameter}: {sql}");
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return row;
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlConnection connection, string sql, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("p", parameter);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
