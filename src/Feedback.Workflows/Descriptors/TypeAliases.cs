namespace Feedback.Workflows.Descriptors;

/// <summary>
/// Elsa 3.8's type aliases (<c>String</c>, <c>Int32</c>, <c>List&lt;String&gt;</c>...). Type names in JSON are
/// only ever looked up in this table, never loaded by reflection.
/// </summary>
public static class TypeAliases
{
    private static readonly (string Alias, Type Type)[] Known =
    [
        ("Object", typeof(object)), ("String", typeof(string)), ("Boolean", typeof(bool)),
        ("Int16", typeof(short)), ("Int32", typeof(int)), ("Int64", typeof(long)), ("Single", typeof(float)),
        ("Double", typeof(double)), ("Decimal", typeof(decimal)), ("Guid", typeof(Guid)),
        ("DateTime", typeof(DateTime)), ("DateTimeOffset", typeof(DateTimeOffset)), ("TimeSpan", typeof(TimeSpan)),
        ("JsonNode", typeof(System.Text.Json.Nodes.JsonNode)), ("JsonObject", typeof(System.Text.Json.Nodes.JsonObject)),
        ("JsonArray", typeof(System.Text.Json.Nodes.JsonArray)), ("JsonElement", typeof(System.Text.Json.JsonElement)),
        ("StringDictionary", typeof(IDictionary<string, string>)), ("ObjectDictionary", typeof(IDictionary<string, object>)),
        ("ByteArray", typeof(byte[])),
    ];

    /// <summary>The alias Elsa writes for <paramref name="type"/> (<c>List&lt;String&gt;</c>, <c>Int32?</c>, enum names...).</summary>
    public static string GetAlias(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return GetAlias(underlying) + "?";
        foreach (var (alias, known) in Known)
            if (known == type) return alias;
        if (type.IsArray) return GetAlias(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericArguments().Length == 1 &&
            typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            return $"List<{GetAlias(type.GetGenericArguments()[0])}>";
        return type.Name;
    }

    /// <summary>
    /// Reads an alias or a legacy assembly-qualified name leniently; unknown names give <see cref="object"/>
    /// because a value's stored JSON is still usable untyped.
    /// </summary>
    public static Type Resolve(string? typeName)
    {
        if (string.IsNullOrWhiteSpace(typeName)) return typeof(object);
        var name = typeName.Trim();
        if (name.EndsWith('?')) return Resolve(name[..^1]);
        if (name.EndsWith("[]")) return Resolve(name[..^2]).MakeArrayType();
        var lt = name.IndexOf('<');
        if (lt > 0 && name.EndsWith('>')) return typeof(List<>).MakeGenericType(Resolve(name[(lt + 1)..^1]));
        // Legacy "System.String, System.Private.CoreLib" or "Elsa.X.FlowJoinMode, Elsa.Workflows.Core".
        var comma = name.IndexOf(',');
        if (comma > 0) name = name[..comma];
        var dot = name.LastIndexOf('.');
        if (dot >= 0) name = name[(dot + 1)..];
        if (name == "Long") return typeof(long);
        foreach (var (alias, known) in Known)
            if (string.Equals(alias, name, StringComparison.OrdinalIgnoreCase) || known.Name == name) return known;
        return typeof(object);
    }
}
