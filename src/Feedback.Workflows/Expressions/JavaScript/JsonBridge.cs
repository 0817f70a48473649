using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using JintJsonSerializer = Jint.Native.Json.JsonSerializer;

namespace Feedback.Workflows.Expressions.JavaScript;

/// <summary>
/// Moves values between the workflow (JSON) and one engine (JavaScript) as JSON does: objects, arrays, strings, numbers,
/// booleans and null cross; dates arrive as ISO strings; functions and symbols have no JSON form and are refused.
/// </summary>
internal sealed class JsonBridge(Engine engine)
{
    /// <summary>Deepest JSON nesting accepted either way; deeper values are almost certainly cyclic or hostile.</summary>
    public const int MaxDepth = 256;

    // Largest integer a double holds exactly: beyond it an "integer" is already rounded, so it stays a double.
    private const double MaxSafeInteger = 9007199254740991d;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth };

    private readonly JsonParser _parser = new(engine, MaxDepth);
    private readonly JintJsonSerializer _serializer = new(engine);

    /// <summary>A fresh JavaScript value for a JSON node (null stays null).</summary>
    public JsValue ToJs(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return JsValue.Null;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        return new JsString(value.TryGetValue<string>(out var s) ? s : value.Deserialize<string>()!);
                    case JsonValueKind.Number:
                        return new JsNumber(value.TryGetValue<double>(out var d)
                            ? d
                            : double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture));
                    case JsonValueKind.True:
                        return JsBoolean.True;
                    case JsonValueKind.False:
                        return JsBoolean.False;
                    case JsonValueKind.Null:
                        return JsValue.Null;
                }

                break;
        }

        // Objects and arrays go through the engine's own JSON parser: one pass, and exactly JSON.parse's result.
        return _parser.Parse(node.ToJsonString());
    }

    /// <summary>The JSON text JSON.stringify gives for the value, or null when it has none (undefined, a function, a symbol).</summary>
    public string? Stringify(JsValue value) => _serializer.Serialize(value) is JsString text ? text.ToString() : null;

    /// <summary>The value as JSON to store; undefined and null become null.</summary>
    /// <exception cref="JavaScriptException">A TypeError the script can catch when the value has no JSON form.</exception>
    public JsonNode? ToJsonNode(JsValue value, string purpose)
    {
        switch (value.Type)
        {
            case Types.Undefined:
            case Types.Null:
                return null;
            case Types.Boolean:
                return JsonValue.Create(value.AsBoolean());
            case Types.String:
                return JsonValue.Create(value.AsString());
            case Types.Number:
                var number = value.AsNumber();
                if (!double.IsFinite(number))
                    return null; // What JSON.stringify does with NaN and Infinity.
                return IsSafeInteger(number) ? JsonValue.Create((long)number) : JsonValue.Create(number);
        }

        var json = Stringify(value)
            ?? throw new JavaScriptException(engine.Intrinsics.TypeError, $"{purpose}: a {Describe(value)} has no JSON value and cannot be stored.");
        return JsonNode.Parse(json, documentOptions: ParseOptions);
    }

    /// <summary>The script's result as a CLR value: null, bool, string, long (integral numbers), double, or a JsonNode.</summary>
    /// <exception cref="ExpressionEvaluationException">The result has no JSON form (a function or symbol).</exception>
    public object? ToResult(JsValue value)
    {
        switch (value.Type)
        {
            case Types.Undefined:
            case Types.Null:
                return null;
            case Types.Boolean:
                return value.AsBoolean();
            case Types.String:
                return value.AsString();
            case Types.Number:
                var number = value.AsNumber();
                // Boxed separately: a conditional of long and double would quietly make both a double.
                return IsSafeInteger(number) ? (object)(long)number : number;
            case Types.BigInt:
                var big = value.ToObject() is System.Numerics.BigInteger b ? b : throw new ExpressionEvaluationException("The script returned a BigInt that could not be read.");
                return big >= long.MinValue && big <= long.MaxValue
                    ? (long)big
                    : throw new ExpressionEvaluationException($"The script returned the BigInt {big}, which does not fit in a 64-bit integer.");
        }

        if (value.Type == Types.Symbol || value.IsCallable())
            throw new ExpressionEvaluationException($"The script returned a {Describe(value)}, which has no JSON value.");

        var json = Stringify(value)
            ?? throw new ExpressionEvaluationException($"The script returned a {Describe(value)} whose JSON form is undefined.");
        var node = JsonNode.Parse(json, documentOptions: ParseOptions);

        // Objects that serialise to a primitive (a Date, a boxed number) are returned as that primitive.
        return node is JsonValue primitive ? Primitive(primitive) : node;
    }

    private static object? Primitive(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetValue<long>(out var l) ? (object)l : value.GetValue<double>(),
        _ => null,
    };

    private static bool IsSafeInteger(double number) =>
        double.IsFinite(number) && Math.Floor(number) == number && Math.Abs(number) <= MaxSafeInteger;

    private static string Describe(JsValue value) => value.IsCallable() ? "function" : value.Type.ToString().ToLowerInvariant();
}
