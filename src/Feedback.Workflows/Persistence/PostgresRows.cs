using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Inserts many rows of one entity type as a single PostgreSQL statement (<c>INSERT ... SELECT FROM unnest(...)</c>,
/// one array parameter per column), in the context's current transaction.
/// </summary>
/// <remarks>
/// EF Core sends the inserts of one <c>SaveChanges</c> in one round trip, but as one statement per row: each is
/// parsed or bound, planned and executed on its own, and each costs the host change tracking and command building.
/// A burst writes a dozen journal rows and as many clock rows, so these add up. The statement text depends only on
/// the entity type, not on the row count, so Npgsql's automatic preparation reuses one plan. Rows keep their list
/// order (<c>WITH ORDINALITY</c>), so identity keys increase in that order. Columns are read from the EF Core model
/// (names, store types, value converters); the entities are not tracked afterwards.
/// </remarks>
public static class PostgresRows
{
    private static readonly ConcurrentDictionary<(IEntityType, bool), Plan> Plans = new();

    /// <summary>True when <paramref name="db"/> runs on PostgreSQL, where <see cref="InsertAsync{T}"/> applies.</summary>
    public static bool Applies(DbContext db) => db.Database.IsNpgsql();

    /// <summary>
    /// Inserts <paramref name="rows"/> in one statement. A store-generated key is written when every row already
    /// has one (see <see cref="NextIdsAsync{T}"/>), otherwise left to the database and not read back.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not mapped by <paramref name="db"/>, or the context is not on PostgreSQL.</exception>
    /// <exception cref="NotSupportedException">A mapped property is not a plain column (owned types, complex properties).</exception>
    public static async Task InsertAsync<T>(DbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : class
    {
        if (rows.Count == 0) return;
        if (!Applies(db)) throw new InvalidOperationException("Multi-row inserts through unnest are PostgreSQL only.");
        var entity = EntityOf<T>(db);
        var key = entity.FindPrimaryKey()?.Properties is [var single] && single.ValueGenerated != ValueGenerated.Never ? single : null;
        var withKey = key is null || rows.All(r => !IsDefault(key.GetGetter().GetClrValue(r)));
        var plan = Plans.GetOrAdd((entity, withKey), k => Plan.For(k.Item1, k.Item2));
        var parameters = plan.Columns.Select((p, i) => new NpgsqlParameter("c" + i, Column(p, rows))).ToArray<object>();
        await db.Database.ExecuteSqlRawAsync(plan.Sql, parameters, cancellationToken);
    }

    /// <summary>Takes <paramref name="count"/> values from the sequence behind <typeparamref name="T"/>'s identity key, in one statement.</summary>
    /// <exception cref="InvalidOperationException">The key is not a single store-generated 64-bit column, or the context is not on PostgreSQL.</exception>
    public static async Task<long[]> NextIdsAsync<T>(DbContext db, int count, CancellationToken cancellationToken) where T : class
    {
        if (count == 0) return [];
        if (!Applies(db)) throw new InvalidOperationException("Identity values are taken in advance on PostgreSQL only.");
        var entity = EntityOf<T>(db);
        if (entity.FindPrimaryKey()?.Properties is not [{ ValueGenerated: ValueGenerated.OnAdd } key] || key.ClrType != typeof(long))
            throw new InvalidOperationException($"{typeof(T).Name} has no single generated 64-bit key.");
        var table = entity.GetTableName()!;
        var column = key.GetColumnName();
        return await db.Database
            .SqlQueryRaw<long>("SELECT nextval(pg_get_serial_sequence({0}, {1})) AS \"Value\" FROM generate_series(1, {2})", table, column, count)
            .ToArrayAsync(cancellationToken);
    }

    private static IEntityType EntityOf<T>(DbContext db) =>
        db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped by {db.GetType().Name}.");

    private static bool IsDefault(object? value) =>
        value is null || (value.GetType().IsValueType && value.Equals(Activator.CreateInstance(value.GetType())));

    /// <summary>One typed array per column, converted to the provider's type as EF Core would; null elements stay null.</summary>
    private static Array Column<T>(IProperty property, IReadOnlyList<T> rows) where T : class
    {
        var converter = property.GetTypeMapping().Converter;
        var providerType = converter?.ProviderClrType ?? property.ClrType;
        var underlying = Nullable.GetUnderlyingType(providerType) ?? providerType;
        var elementType = underlying.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(underlying) : underlying;
        var values = Array.CreateInstance(elementType, rows.Count);
        var getter = property.GetGetter();
        for (var i = 0; i < rows.Count; i++)
        {
            var value = getter.GetClrValue(rows[i]);
            values.SetValue(value is null ? null : converter is null ? value : converter.ConvertToProvider(value), i);
        }
        return values;
    }

    private sealed record Plan(IReadOnlyList<IProperty> Columns, string Sql)
    {
        public static Plan For(IEntityType entity, bool withKey)
        {
            var key = entity.FindPrimaryKey()!.Properties;
            var columns = entity.GetProperties().Where(p => withKey || !key.Contains(p)).ToList();
            if (entity.GetComplexProperties().Any() || entity.GetNavigations().Any(n => n.TargetEntityType.IsOwned()))
                throw new NotSupportedException($"{entity.DisplayName()} has owned or complex properties; only plain columns are inserted this way.");
            var names = string.Join(", ", columns.Select(p => Quote(p.GetColumnName())));
            var aliases = string.Join(", ", columns.Select((_, i) => "c" + i));
            var sql = new StringBuilder()
                .Append("INSERT INTO ").Append(Quote(entity.GetTableName()!)).Append(" (").Append(names).Append(") SELECT ").Append(aliases)
                .Append(" FROM unnest(").AppendJoin(", ", columns.Select((p, i) => $"@c{i}::{p.GetColumnType()}[]"))
                .Append(") WITH ORDINALITY AS u(").Append(aliases).Append(", ord) ORDER BY ord")
                .ToString();
            return new Plan(columns, sql);
        }

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }
}
