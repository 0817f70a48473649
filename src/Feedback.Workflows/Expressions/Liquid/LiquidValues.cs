using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>An object a template can navigate whose members are produced on demand (the workflow model, <c>forloop</c>).</summary>
internal interface ILiquidObject
{
    bool TryGetMember(string name, out object? value);

    IEnumerable<string> Keys { get; }
}

/// <summary>An integer range <c>(from..to)</c>, inclusive, never materialised unless a filter needs a list.</summary>
internal readonly record struct LiquidRange(long From, long To)
{
    public long Count => To < From ? 0 : To - From + 1;
}

/// <summary>Something a <c>for</c> loop can index without copying it.</summary>
internal readonly record struct LiquidSequence(long Count, Func<long, object?> At);

/// <summary>
/// Liquid's value semantics over the values a template sees: null, string, decimal, bool, <see cref="DateTimeOffset"/>,
/// lists, <see cref="LiquidRange"/>, <see cref="ILiquidObject"/>, and JSON (<see cref="JsonObject"/>/<see cref="JsonArray"/>
/// navigated in place; <see cref="JsonValue"/>s become primitives as they are read).
/// </summary>
internal static class LiquidValues
{
    /// <summary>Lists produced for filters are capped so that <c>(1..999999999) | join</c> fails instead of exhausting memory.</summary>
    public const int MaxMaterializedItems = 1_000_000;

    /// <summary>The <c>empty</c> literal.</summary>
    public static readonly object Empty = new Keyword("empty");

    /// <summary>The <c>blank</c> literal.</summary>
    public static readonly object Blank = new Keyword("blank");

    public static object? Normalize(object? value) => value switch
    {
        JsonValue json => FromJsonValue(json),
        int i => (decimal)i,
        long l => (decimal)l,
        double d => ToDecimal(d),
        float f => ToDecimal(f),
        DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt),
        _ => value,
    };

    public static bool IsTruthy(object? value) => value is not (null or false);

    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset date => date.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        LiquidRange range => $"{range.From}..{range.To}",
        Keyword => "",
        // Liquid prints an array as its items run together.
        JsonArray or IList => ConcatItems(ToList(value)),
        _ => ToJson(value)?.ToJsonString() ?? "",
    };

    /// <summary>A JSON rendering of any template value (the <c>json</c> filter, objects printed by <c>{{ }}</c>).</summary>
    public static JsonNode? ToJson(object? value)
    {
        switch (value)
        {
            case null or Keyword:
                return null;
            case JsonNode node:
                return node.DeepClone();
            case string s:
                return JsonValue.Create(s);
            case bool b:
                return JsonValue.Create(b);
            case decimal d:
                return JsonValue.Create(d);
            case DateTimeOffset date:
                return JsonValue.Create(date);
            case LiquidRange range:
                return new JsonArray(ToList(range).Select(ToJson).ToArray());
            case ILiquidObject obj:
                var result = new JsonObject();
                foreach (var key in obj.Keys)
                    result[key] = obj.TryGetMember(key, out var member) ? ToJson(Normalize(member)) : null;
                return result;
            case IDictionary<string, object?> dictionary:
                return new JsonObject(dictionary.Select(p => KeyValuePair.Create(p.Key, ToJson(Normalize(p.Value)))));
            case IEnumerable items:
                return new JsonArray(items.Cast<object?>().Select(i => ToJson(Normalize(i))).ToArray());
            default:
                return JsonValue.Create(value.ToString());
        }
    }

    public static object? GetMember(object? target, string name)
    {
        switch (target)
        {
            case JsonObject obj:
                if (TryGetProperty(obj, name, out var property))
                    return Normalize(property);
                return name == "size" ? (decimal)obj.Count : null;
            case ILiquidObject model:
                if (model.TryGetMember(name, out var member))
                    return Normalize(member);
                return name == "size" ? (decimal)model.Keys.Count() : null;
            case IDictionary<string, object?> dictionary:
                if (dictionary.TryGetValue(name, out var entry))
                    return Normalize(entry);
                return name == "size" ? (decimal)dictionary.Count : null;
            case string s:
                return name switch
                {
                    "size" => (decimal)s.Length,
                    "first" => s.Length > 0 ? s[..1] : null,
                    "last" => s.Length > 0 ? s[^1..] : null,
                    _ => null,
                };
        }

        if (IsList(target))
        {
            var sequence = ToSequence(target);
            return name switch
            {
                "size" => (decimal)sequence.Count,
                "first" => sequence.Count > 0 ? sequence.At(0) : null,
                "last" => sequence.Count > 0 ? sequence.At(sequence.Count - 1) : null,
                _ => null,
            };
        }

        return null;
    }

    public static object? GetIndex(object? target, object? key)
    {
        if (key is decimal number && IsList(target))
        {
            var sequence = ToSequence(target);
            var index = (long)decimal.Truncate(number);
            if (index < 0)
                index += sequence.Count;
            return index >= 0 && index < sequence.Count ? sequence.At(index) : null;
        }

        return GetMember(target, ToText(key));
    }

    /// <summary>What <c>for</c> iterates: lists and ranges by index, objects as <c>[key, value]</c> pairs, anything else once.</summary>
    public static LiquidSequence ToSequence(object? value)
    {
        switch (value)
        {
            case null or Keyword:
                return new LiquidSequence(0, _ => null);
            case LiquidRange range:
                return new LiquidSequence(range.Count, i => (decimal)(range.From + i));
            case JsonArray array:
                return new LiquidSequence(array.Count, i => Normalize(array[(int)i]));
            case IList list:
                return new LiquidSequence(list.Count, i => Normalize(list[(int)i]));
            case JsonObject or ILiquidObject or IDictionary<string, object?>:
                var pairs = Pairs(value);
                return new LiquidSequence(pairs.Count, i => pairs[(int)i]);
            default:
                return new LiquidSequence(1, _ => value);
        }
    }

    /// <summary>A list copy for filters; a non-list value becomes a one-item list, null an empty one.</summary>
    public static List<object?> ToList(object? value)
    {
        var sequence = ToSequence(value);
        if (sequence.Count > MaxMaterializedItems)
            throw new LiquidRenderException($"A list of {sequence.Count} items is larger than the limit of {MaxMaterializedItems}.");
        var list = new List<object?>((int)sequence.Count);
        for (long i = 0; i < sequence.Count; i++)
            list.Add(sequence.At(i));
        return list;
    }

    public static bool IsList(object? value) => value is JsonArray or IList or LiquidRange;

    public static bool AreEqual(object? a, object? b)
    {
        if (a is Keyword keywordA)
            return MatchesKeyword(keywordA, b);
        if (b is Keyword keywordB)
            return MatchesKeyword(keywordB, a);
        return (a, b) switch
        {
            (null, null) => true,
            (null, _) or (_, null) => false,
            (decimal x, decimal y) => x == y,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (bool x, bool y) => x == y,
            (DateTimeOffset x, DateTimeOffset y) => x == y,
            _ when IsList(a) && IsList(b) => ToList(a).SequenceEqual(ToList(b), ValueComparer.Instance),
            (JsonNode x, JsonNode y) => JsonNode.DeepEquals(x, y),
            _ => Equals(a, b),
        };
    }

    /// <summary>Orders numbers with numbers and strings with strings; null for anything else (the comparison is then false).</summary>
    public static int? Compare(object? a, object? b) => (a, b) switch
    {
        (decimal x, decimal y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        (decimal x, string y) when TryParseNumber(y, out var n) => x.CompareTo(n),
        (string x, decimal y) when TryParseNumber(x, out var n) => n.CompareTo(y),
        _ => null,
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => s.Contains(ToText(item), StringComparison.Ordinal),
        JsonObject obj => TryGetProperty(obj, ToText(item), out _),
        ILiquidObject model => model.TryGetMember(ToText(item), out _),
        IDictionary<string, object?> dictionary => dictionary.ContainsKey(ToText(item)),
        _ when IsList(container) => ToList(container).Any(element => AreEqual(element, item)),
        _ => false,
    };

    public static decimal? ToNumber(object? value) => value switch
    {
        decimal d => d,
        string s when TryParseNumber(s, out var n) => n,
        bool => null,
        _ => null,
    };

    public static long ToLong(object? value, string what) => ToNumber(value) is { } number
        ? (long)decimal.Truncate(number)
        : throw new LiquidRenderException($"The {what} must be a number, not '{ToText(value)}'.");

    public static bool IsEmptyValue(object? value) => value switch
    {
        string s => s.Length == 0,
        JsonObject obj => obj.Count == 0,
        ILiquidObject model => !model.Keys.Any(),
        IDictionary<string, object?> dictionary => dictionary.Count == 0,
        _ when IsList(value) => ToSequence(value).Count == 0,
        _ => false,
    };

    public static bool TryGetProperty(JsonObject obj, string name, out JsonNode? value)
    {
        if (obj.TryGetPropertyValue(name, out value))
            return true;
        // Workflow JSON mixes camelCase (Studio) and PascalCase (C# callers); a template should not care which.
        foreach (var (key, node) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = node;
                return true;
            }
        }

        return false;
    }

    public static bool TryParseNumber(string text, out decimal number) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    private static bool MatchesKeyword(object keyword, object? value) =>
        ReferenceEquals(keyword, Empty)
            ? IsEmptyValue(value)
            : value is null or false || (value is string s && string.IsNullOrWhiteSpace(s)) || IsEmptyValue(value);

    private static List<object?> Pairs(object value)
    {
        IEnumerable<KeyValuePair<string, object?>> entries = value switch
        {
            JsonObject obj => obj.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value)),
            ILiquidObject model => model.Keys.Select(k => KeyValuePair.Create(k, model.TryGetMember(k, out var v) ? v : null)),
            IDictionary<string, object?> dictionary => dictionary,
            _ => [],
        };
        return entries.Select(p => (object?)new List<object?> { p.Key, Normalize(p.Value) }).ToList();
    }

    private static object? FromJsonValue(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return value.TryGetValue<string>(out var s) ? s : value.Deserialize<string>();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                if (value.TryGetValue<decimal>(out var d))
                    return d;
                var text = value.ToJsonString();
                // Numbers beyond decimal's range (1e300) keep their JSON spelling rather than failing the template.
                return TryParseNumber(text, out var parsed) ? parsed : text;
            default:
                return null;
        }
    }

    private static decimal ToDecimal(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 7.9e28 ? (decimal)value : throw new LiquidRenderException($"The number {value} cannot be used in a template.");

    private static string ConcatItems(List<object?> items)
    {
        var builder = new StringBuilder();
        foreach (var item in items)
            builder.Append(ToText(item));
        return builder.ToString();
    }

    private sealed class Keyword(string name)
    {
        public override string ToString() => name;
    }

    private sealed class ValueComparer : IEqualityComparer<object?>
    {
        public static readonly ValueComparer Instance = new();

        public new bool Equals(object? x, object? y) => AreEqual(x, y);

        public int GetHashCode(object? obj) => 0;
    }
}
