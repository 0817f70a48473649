using System.Text.Json.Nodes;

namespace Feedback.Workflows.Expressions;

/// <summary>
/// Finds a JSON member by name exactly, then ignoring case: inputs arrive from HTTP callers who do not care about case,
/// and hand-written definitions may use PascalCase where Studio writes camelCase.
/// </summary>
internal static class JsonMembers
{
    public static bool TryFind(JsonObject json, string name, out JsonNode? node) =>
        json.TryGetPropertyValue(name, out node) || TryIgnoringCase(json, name, out node);

    public static JsonNode? Find(IReadOnlyDictionary<string, JsonNode?> members, string name) =>
        members.TryGetValue(name, out var node) || TryIgnoringCase(members, name, out node) ? node : null;

    private static bool TryIgnoringCase(IEnumerable<KeyValuePair<string, JsonNode?>> members, string name, out JsonNode? node)
    {
        foreach (var (key, value) in members)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                node = value;
                return true;
            }
        node = null;
        return false;
    }
}
