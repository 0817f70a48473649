using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions.JavaScript;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Api;

/// <summary>
/// TypeScript declarations of what a JavaScript expression can use in one workflow, for the Studio's code editor:
/// the runtime's global functions, the <c>variables</c> object, and the generated <c>get&lt;Name&gt;</c>/<c>set&lt;Name&gt;</c>
/// accessors of the definition's variables and inputs.
/// </summary>
public static class JavaScriptTypeDefinitions
{
    private static readonly string[] Globals =
    [
        "/** The id shared by every version of this workflow. */",
        "declare function getWorkflowDefinitionId(): string;",
        "/** The id of the definition version this instance runs. */",
        "declare function getWorkflowDefinitionVersionId(): string;",
        "declare function getWorkflowDefinitionVersion(): number;",
        "declare function getWorkflowInstanceId(): string;",
        "declare function getCorrelationId(): string | null;",
        "declare function setCorrelationId(correlationId: string | null): void;",
        "declare function getWorkflowInstanceName(): string | null;",
        "declare function setWorkflowInstanceName(name: string | null): void;",
        "/** Reads a workflow variable by name or id. */",
        "declare function getVariable(name: string): any;",
        "/** Writes a workflow variable by name or id; the value must be JSON-compatible. */",
        "declare function setVariable(name: string, value: any): void;",
        "/** Reads a workflow input by name. */",
        "declare function getInput(name: string): any;",
        "/** Reads an output of an activity that has completed, by activity id or name (default output: Result). */",
        "declare function getOutputFrom(activityIdOrName: string, outputName?: string): any;",
        "/** The result of the activity that completed last. */",
        "declare function getLastResult(): any;",
        "declare function isNullOrWhiteSpace(value: string | null | undefined): boolean;",
        "declare function isNullOrEmpty(value: string | null | undefined): boolean;",
        "declare function toJson(value: any): string;",
        "/** Normalises a GUID's text; throws when it is not one. */",
        "declare function parseGuid(text: string): string;",
        "declare function newGuid(): string;",
        "declare function newGuidString(): string;",
        "declare function getGuidString(): string;",
        "declare function newShortGuid(): string;",
        "declare function getShortGuid(): string;",
        "declare function stringToBase64(text: string): string;",
        "declare function stringFromBase64(base64: string): string;",
    ];

    /// <summary>Declarations for a stored definition model (its <c>variables</c>, <c>root.variables</c> and <c>inputs</c>).</summary>
    public static string For(JsonObject? definition)
    {
        var variables = ReadVariables(definition?["variables"]).Concat(ReadVariables(definition?["root"]?["variables"]))
            .DistinctBy(v => v.Name).ToList();
        var inputs = (definition?["inputs"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(i => (Name: (string?)i["name"], Type: ScriptType((string?)i["type"], i["isArray"] is JsonValue a && a.TryGetValue<bool>(out var isArray) && isArray)))
            .Where(i => !string.IsNullOrWhiteSpace(i.Name)).Select(i => (Name: i.Name!, i.Type)).DistinctBy(i => i.Name).ToList();

        var text = new StringBuilder();
        text.AppendLine($"// {(string?)definition?["name"] ?? "Workflow"}: what JavaScript expressions can use.");
        foreach (var line in Globals) text.AppendLine(line);

        text.AppendLine("/** The workflow's variables; assignments are stored when the expression ends. */");
        text.AppendLine("declare const variables: {");
        foreach (var v in variables) text.AppendLine($"    {PropertyName(v.Name)}: {ScriptType(v.TypeName, v.IsArray)};");
        text.AppendLine("};");

        foreach (var (function, declaration) in Accessors(variables, inputs))
            text.AppendLine($"declare function {function}{declaration};");
        return text.ToString();
    }

    /// <summary>
    /// The accessor names the runtime defines, by its rule: name-preserving forms of variables, then of inputs, then
    /// Elsa's letters-and-digits forms; built-ins and earlier claims win, and a name two targets share is left out.
    /// </summary>
    private static IEnumerable<(string Function, string Declaration)> Accessors(List<VariableDefinition> variables, List<(string Name, string Type)> inputs)
    {
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        Claim(variables.SelectMany(v => VariableAccessors(v, JavaScriptNames.AccessorSuffixes(v.Name).Take(1))));
        Claim(inputs.SelectMany(i => JavaScriptNames.AccessorSuffixes(i.Name).Take(1).Select(s => ("get" + s, "input:" + i.Name, $"(): {i.Type}"))));
        Claim(variables.SelectMany(v => VariableAccessors(v, JavaScriptNames.AccessorSuffixes(v.Name).Skip(1))));
        Claim(inputs.SelectMany(i => JavaScriptNames.AccessorSuffixes(i.Name).Skip(1).Select(s => ("get" + s, "input:" + i.Name, $"(): {i.Type}"))));
        return claimed.Select(kv => (kv.Key, kv.Value));

        void Claim(IEnumerable<(string Function, string Target, string Declaration)> group)
        {
            foreach (var candidates in group.GroupBy(a => a.Function, StringComparer.Ordinal))
            {
                if (JavaScriptSession.BuiltInNames.Contains(candidates.Key) || claimed.ContainsKey(candidates.Key) || ambiguous.Contains(candidates.Key)) continue;
                if (candidates.Select(c => c.Target).Distinct(StringComparer.Ordinal).Count() > 1) ambiguous.Add(candidates.Key);
                else claimed[candidates.Key] = candidates.First().Declaration;
            }
        }
    }

    private static IEnumerable<(string, string, string)> VariableAccessors(VariableDefinition v, IEnumerable<string> suffixes)
    {
        var type = ScriptType(v.TypeName, v.IsArray);
        foreach (var suffix in suffixes)
        {
            yield return ("get" + suffix, "variable:" + v.Id, $"(): {type}");
            yield return ("set" + suffix, "variable:" + v.Id, $"(value: {type}): void");
        }
    }

    private static IEnumerable<VariableDefinition> ReadVariables(JsonNode? node)
    {
        foreach (var item in (node as JsonArray ?? []).OfType<JsonObject>())
        {
            if (string.IsNullOrWhiteSpace((string?)item["name"])) continue; // The editor is mid-edit; the save validation reports it.
            yield return VariableDefinition.FromJson(item);
        }
    }

    /// <summary>The TypeScript type of a value of an Elsa type name, as the script sees it (JSON-shaped).</summary>
    private static string ScriptType(string? typeName, bool isArray)
    {
        var type = TypeAliases.Resolve(typeName);
        var script = ScriptType(type);
        return isArray ? $"{Parenthesise(script)}[]" : script;
    }

    private static string ScriptType(Type type)
    {
        if (type.IsArray) return $"{Parenthesise(ScriptType(type.GetElementType()!))}[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) return $"{Parenthesise(ScriptType(type.GetGenericArguments()[0]))}[]";
        return type switch
        {
            _ when type == typeof(string) || type == typeof(Guid) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) => "string",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(short) || type == typeof(int) || type == typeof(long) || type == typeof(float) || type == typeof(double) || type == typeof(decimal) => "number",
            _ when type == typeof(IDictionary<string, string>) => "Record<string, string>",
            _ when type == typeof(IDictionary<string, object>) || type == typeof(JsonObject) => "Record<string, any>",
            _ when type == typeof(JsonArray) => "any[]",
            _ => "any",
        };
    }

    private static string Parenthesise(string type) => type.Contains(' ') ? $"({type})" : type;

    private static string PropertyName(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$')
            ? name
            : JsonSerializer.Serialize(name);
}
