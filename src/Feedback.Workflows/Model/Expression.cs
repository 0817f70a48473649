using System.Text.Json.Nodes;

namespace Feedback.Workflows.Model;

/// <summary>An expression as Elsa stores it: a syntax name (<c>Literal</c>, <c>JavaScript</c>...) and its raw value.</summary>
public sealed record Expression(string Type, JsonNode? Value)
{
    /// <summary>The expression types every runtime understands.</summary>
    public static class Types
    {
        public const string Literal = "Literal";
        public const string Object = "Object";
        public const string Json = "Json";
        public const string Variable = "Variable";
        public const string Input = "Input";
        public const string JavaScript = "JavaScript";
        public const string Liquid = "Liquid";
    }

    /// <summary>A literal holding <paramref name="value"/>.</summary>
    public static Expression Literal(JsonNode? value) => new(Types.Literal, value);

    /// <summary>The value as text, whatever JSON kind it was stored as.</summary>
    public string? ValueAsText => Value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => Value.ToJsonString(),
    };
}
