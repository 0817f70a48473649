using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The definitions the host ships (every <c>workflows/*.json</c> in the test output with a <c>definitionId</c>), and
/// what the Studio has to draw for each of their activities, worked out from the host's activity descriptors.
/// </summary>
public static class ShippedWorkflows
{
    /// <summary>The folder the host publishes at start-up (copied next to the test assembly by the host's build).</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>The example organisation loaded into an empty directory.</summary>
    public static string OrganizationSeedFile => Path.Combine(Folder, "directory", "example-organization.json");

    /// <summary>Settings that make the test host publish the shipped definitions and load the example organisation.</summary>
    public static IReadOnlyDictionary<string, string> HostSettings => new Dictionary<string, string>
    {
        ["Workflows:ShippedFolder"] = Folder,
        ["Directory:SeedFile"] = OrganizationSeedFile,
    };

    /// <summary>Each shipped definition, ordered by file name.</summary>
    public static IReadOnlyList<JsonObject> Load() =>
        Directory.GetFiles(Folder, "*.json", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .Select(file => JsonNode.Parse(File.ReadAllText(file)) as JsonObject)
            .Where(definition => definition?["definitionId"] is JsonValue)
            .Select(definition => definition!)
            .ToList();

    /// <summary>The activities of a definition's root flowchart.</summary>
    public static IReadOnlyList<JsonObject> Activities(JsonObject definition) =>
        (definition["root"]?["activities"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    /// <summary>The root flowchart's connections as (source activity, source port, target activity, target port).</summary>
    public static IReadOnlyList<(string From, string Port, string To, string In)> Connections(JsonObject definition) =>
        (definition["root"]?["connections"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => ((string)c["source"]!["activity"]!, (string)c["source"]!["port"]!, (string)c["target"]!["activity"]!, (string?)c["target"]!["port"] ?? "In"))
            .ToList();

    /// <summary>
    /// The outcome ports (name → label) the designer draws for an activity, the way Elsa Studio's port providers do:
    /// the descriptor's browsable flow ports, the values of a dynamic-outcomes input (e.g. a Staff Task's actions),
    /// a switch's case labels and "Default"; "Done" when that leaves none and the activity does not end the flow.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ExpectedOutcomes(JsonObject activity, JsonObject descriptor)
    {
        var ports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var port in (descriptor["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if ((string?)port["type"] is { } type && type != "Flow") continue;
            if (port["isBrowsable"] is JsonValue browsable && !browsable.GetValue<bool>()) continue;
            ports[(string)port["name"]!] = (string?)port["displayName"] ?? (string)port["name"]!;
        }
        foreach (var input in (descriptor["inputs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var value = InputValue(activity, (string)input["name"]!);
            switch ((string?)input["uiHint"])
            {
                case "dynamic-outcomes":
                    foreach (var outcome in Strings(value)) ports[outcome] = outcome;
                    break;
                case "flow-switch-editor":
                    foreach (var label in (value as JsonArray ?? []).OfType<JsonObject>().Select(c => (string?)c["label"]).OfType<string>()) ports[label] = label;
                    ports["Default"] = "Default";
                    break;
            }
        }
        if (ports.Count == 0 && !(descriptor["isTerminal"] is JsonValue terminal && terminal.GetValue<bool>())) ports["Done"] = "Done";
        return ports;
    }

    /// <summary>A literal input value as stored in the definition: the expression's value of a wrapped input, else the plain JSON.</summary>
    public static JsonNode? InputValue(JsonObject activity, string inputName)
    {
        var node = activity[JsonNamingPolicy.CamelCase.ConvertName(inputName)];
        return node is JsonObject { } wrapped && wrapped["expression"] is JsonObject expression ? expression["value"] : node;
    }

    private static IEnumerable<string> Strings(JsonNode? value)
    {
        if (value is JsonValue text && text.TryGetValue<string>(out var json))
        {
            try { value = JsonNode.Parse(json); }
            catch (JsonException) { return []; }
        }
        return (value as JsonArray ?? []).Select(v => v is JsonValue s && s.TryGetValue<string>(out var outcome) ? outcome.Trim() : null)
            .Where(o => !string.IsNullOrEmpty(o)).Select(o => o!).Distinct(StringComparer.Ordinal);
    }
}
