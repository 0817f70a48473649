using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feedback.Workflows.Serialization;

/// <summary>Converts evaluated values (CLR objects or JSON) to an input's type, and values to JSON for storage.</summary>
public static class ValueConverter
{
    /// <summary>Converts <paramref name="value"/> to <paramref name="targetType"/>.</summary>
    /// <exception cref="FormatException">The value cannot be represented as the type; the message shows both.</exception>
    public static object? Convert(object? value, Type targetType)
    {
        var underlying = Nullable.GetUnderlyingType(targetType);
        var type = underlying ?? targetType;
        if (value is null) return null;
        if (value is JsonValue jv && jv.GetValueKind() == JsonValueKind.Null) return null;
        if (type.IsInstanceOfType(value) && value is not JsonNode) return value;
        if (type == typeof(object)) return value is JsonValue v ? Unwrap(v) : value;
        if (typeof(JsonNode).IsAssignableFrom(type)) return ToJson(value);

        try
        {
            if (value is JsonNode node) return FromJson(node, type);
            if (type == typeof(string)) return System.Convert.ToString(value, CultureInfo.InvariantCulture);
            if (type == typeof(TimeSpan)) return ParseTimeSpan(System.Convert.ToString(value, CultureInfo.InvariantCulture)!);
            if (type == typeof(DateTimeOffset)) return value is DateTime dt ? new DateTimeOffset(dt) : DateTimeOffset.Parse(System.Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
            if (type.IsEnum) return Enum.Parse(type, System.Convert.ToString(value, CultureInfo.InvariantCulture)!, ignoreCase: true);
            if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(type)) return System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            return FromJson(ToJson(value)!, type);
        }
        catch (Exception e) when (e is InvalidCastException or JsonException or OverflowException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"Cannot convert {Describe(value)} to {type.Name}: {e.Message}", e);
        }
    }

    /// <summary>The JSON form of a value, as variables and outputs are stored.</summary>
    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), ElsaJson.Options),
    };

    /// <summary>A JSON scalar as the plain CLR value it holds (string, bool, long, double, decimal).</summary>
    public static object? Unwrap(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<object>() is JsonElement e ? e.GetString() : value.GetValue<object>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetValue<long>(out var l) ? l : value.TryGetValue<double>(out var d) ? d : value.GetValue<object>(),
        JsonValueKind.Null => null,
        _ => value.GetValue<object>(),
    };

    private static object? FromJson(JsonNode node, Type type)
    {
        if (node is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String)
        {
            var text = scalar.GetValue<string>();
            if (type == typeof(string)) return text;
            if (type == typeof(TimeSpan)) return ParseTimeSpan(text);
            if (type.IsEnum) return Enum.Parse(type, text, ignoreCase: true);
            if (type == typeof(bool)) return bool.Parse(text);
            if (type.IsPrimitive || type == typeof(decimal)) return System.Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
            // Elsa stores object and collection literals as JSON text in a string.
            if (!type.IsValueType && type != typeof(Uri) && (text.StartsWith('{') || text.StartsWith('[')))
                return JsonSerializer.Deserialize(text, type, ElsaJson.Options);
        }
        if (type == typeof(string)) return node is JsonValue v ? System.Convert.ToString(Unwrap(v), CultureInfo.InvariantCulture) : node.ToJsonString();
        if (type == typeof(bool) && node is JsonValue n && n.GetValueKind() == JsonValueKind.Number) return n.GetValue<double>() != 0;
        return node.Deserialize(type, ElsaJson.Options);
    }

    /// <summary>Reads Elsa's <c>d.hh:mm:ss</c> and ISO-8601 (<c>PT5M</c>) durations.</summary>
    public static TimeSpan ParseTimeSpan(string text)
    {
        text = text.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
        if (text.StartsWith('P') || text.StartsWith('-')) return System.Xml.XmlConvert.ToTimeSpan(text);
        throw new FormatException($"'{text}' is not a duration; use d.hh:mm:ss (e.g. 00:05:00) or ISO-8601 (e.g. PT5M).");
    }

    private static string Describe(object value)
    {
        var text = value is JsonNode n ? n.ToJsonString() : value.ToString() ?? "";
        return (text.Length > 60 ? text[..60] + "…" : text) + $" ({(value is JsonNode ? "JSON" : value.GetType().Name)})";
    }
}
