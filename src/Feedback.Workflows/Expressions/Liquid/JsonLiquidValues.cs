using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fluid;
using Fluid.Values;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>
/// JSON (workflow variables, inputs, mail models) as Liquid values: objects navigate by member name, ignoring case
/// when no member has the exact name, and print as JSON text; arrays loop; the json filter writes numbers with the digits they had.
/// </summary>
internal static class JsonLiquidValues
{
    /// <summary>The Liquid value of a JSON node; nil for null.</summary>
    public static FluidValue From(JsonNode? node) => node switch
    {
        null => NilValue.Instance,
        JsonObject o => new JsonObjectValue(o),
        JsonArray a => new ArrayValue(a.Select(From).ToList()),
        JsonValue v => FromValue(v),
        _ => NilValue.Instance,
    };

    /// <summary>A Liquid value back as JSON, for the <c>json</c> filter: JSON objects as they were, numbers with their digits.</summary>
    public static JsonNode? ToJson(FluidValue value, TemplateContext context) => value switch
    {
        JsonObjectValue o => o.Json.DeepClone(),
        NilValue or EmptyValue or BlankValue => null,
        BooleanValue b => JsonValue.Create(b.ToBooleanValue()),
        NumberValue n => JsonValue.Create(n.ToNumberValue()),
        StringValue s => JsonValue.Create(s.ToStringValue()),
        _ when value.Type == FluidValues.Array => new JsonArray(value.Enumerate(context).Select(i => ToJson(i, context)).ToArray()),
        _ => JsonSerializer.SerializeToNode(value.ToObjectValue()),
    };

    private static FluidValue FromValue(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
            return element.ValueKind switch
            {
                JsonValueKind.String => new StringValue(element.GetString()!),
                JsonValueKind.Number => element.TryGetDecimal(out var d) ? NumberValue.Create(d) : NumberValue.Create((decimal)element.GetDouble()),
                JsonValueKind.True => BooleanValue.True,
                JsonValueKind.False => BooleanValue.False,
                _ => NilValue.Instance,
            };
        if (value.TryGetValue<string>(out var text)) return new StringValue(text);
        if (value.TryGetValue<bool>(out var flag)) return BooleanValue.Create(flag);
        if (value.TryGetValue<decimal>(out var number)) return NumberValue.Create(number);
        if (value.TryGetValue<double>(out var real)) return NumberValue.Create((decimal)real);
        if (value.TryGetValue<DateTimeOffset>(out var at)) return new DateTimeValue(at);
        // Anything else a node can hold (an enum, a Guid...) prints as its JSON text without quotes.
        return new StringValue(value.ToJsonString().Trim('"'));
    }
}

/// <summary>A JSON object in a template: <c>{{ o.member }}</c>, <c>o['member']</c>, <c>o.size</c>; prints as JSON text.</summary>
internal sealed class JsonObjectValue(JsonObject json) : FluidValue
{
    public JsonObject Json { get; } = json;

    public override FluidValues Type => FluidValues.Object;

    public override bool Equals(FluidValue other) => other is JsonObjectValue o && JsonNode.DeepEquals(Json, o.Json);

    public override bool ToBooleanValue() => true;

    public override decimal ToNumberValue() => 0;

    public override string ToStringValue() => Json.ToJsonString();

    public override object ToObjectValue() => Json;

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context)
    {
        if (JsonMembers.TryFind(Json, name, out var node)) return new(JsonLiquidValues.From(node));
        return new(name == "size" ? NumberValue.Create(Json.Count) : NilValue.Instance);
    }

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) =>
        GetValueAsync(index.ToStringValue(), context);

    public override bool Contains(FluidValue value) => Json.ContainsKey(value.ToStringValue());

    /// <summary>Looping over an object yields its members as [name, value] pairs, as Liquid does with a hash.</summary>
    public override IEnumerable<FluidValue> Enumerate(TemplateContext context) =>
        Json.Select(p => (FluidValue)new ArrayValue([new StringValue(p.Key), JsonLiquidValues.From(p.Value)]));

    public override ValueTask WriteToAsync(TextWriter writer, TextEncoder encoder, CultureInfo cultureInfo)
    {
        writer.Write(encoder.Encode(Json.ToJsonString()));
        return ValueTask.CompletedTask;
    }

    public override bool Equals(object? obj) => obj is FluidValue other && Equals(other);

    public override int GetHashCode() => Json.Count;
}
