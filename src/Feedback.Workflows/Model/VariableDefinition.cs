using System.Text.Json.Nodes;

namespace Feedback.Workflows.Model;

/// <summary>A workflow variable as declared in a definition; <see cref="DefaultValue"/> is text, as Elsa stores it.</summary>
public sealed record VariableDefinition(string Id, string Name, string TypeName, bool IsArray, string? DefaultValue)
{
    /// <summary>Reads Elsa's variable model (<c>{id, name, typeName, isArray, value}</c>).</summary>
    public static VariableDefinition FromJson(JsonObject json)
    {
        var name = (string?)json["name"] ?? throw new WorkflowDefinitionException("A variable has no name.");
        var id = (string?)json["id"];
        return new VariableDefinition(
            string.IsNullOrWhiteSpace(id) ? name : id,
            name,
            (string?)json["typeName"] ?? "Object",
            json["isArray"] is JsonValue a && a.TryGetValue<bool>(out var isArray) && isArray,
            json["value"] switch { null => null, JsonValue v when v.TryGetValue<string>(out var s) => s, var other => other.ToJsonString() });
    }
}

/// <summary>A workflow input or output argument (<c>{type, name, displayName...}</c>).</summary>
public sealed record ArgumentDefinition(string Name, string Type, string? DisplayName, bool IsArray);
