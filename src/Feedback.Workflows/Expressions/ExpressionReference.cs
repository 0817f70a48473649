using System.Text.Json.Nodes;

namespace Feedback.Workflows.Expressions;

/// <summary>Reads what a <c>Variable</c> or <c>Input</c> expression points at: Elsa's model object (<c>{id, name, ...}</c>) or a bare name.</summary>
internal readonly record struct ExpressionReference(string? Id, string? Name)
{
    /// <summary>The id and the name, without blanks or repeats, in lookup order.</summary>
    public IEnumerable<string> Candidates()
    {
        if (!string.IsNullOrWhiteSpace(Id))
            yield return Id;
        if (!string.IsNullOrWhiteSpace(Name) && Name != Id)
            yield return Name;
    }

    /// <summary>How the reference reads in an error message.</summary>
    public string Describe() => (Id, Name) switch
    {
        (not null, not null) when Id != Name => $"'{Name}' (id '{Id}')",
        (_, not null) => $"'{Name}'",
        (not null, null) => $"id '{Id}'",
        _ => "(none)",
    };

    /// <summary>Null when the value names nothing usable.</summary>
    public static ExpressionReference? Read(JsonNode? value)
    {
        switch (value)
        {
            case JsonValue text when text.TryGetValue<string>(out var s):
                return string.IsNullOrWhiteSpace(s) ? null : new ExpressionReference(null, s);
            case JsonObject obj:
                var id = ReadString(obj, "id");
                var name = ReadString(obj, "name");
                return id is null && name is null ? null : new ExpressionReference(id, name);
            default:
                return null;
        }
    }

    private static string? ReadString(JsonObject obj, string property)
    {
        // Studio writes camelCase; older or hand-written JSON may use PascalCase.
        JsonMembers.TryFind(obj, property, out var node);
        return node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
    }
}
