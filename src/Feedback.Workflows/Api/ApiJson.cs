using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Feedback.Workflows.Api;

/// <summary>Request reading with errors that say where the JSON broke.</summary>
internal static class ApiJson
{
    /// <summary>The body as a JSON object; an empty body is an empty object.</summary>
    /// <exception cref="JsonException">Not JSON, or not an object; the message gives line and position.</exception>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text)) return new JsonObject();
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException e) { throw new JsonException($"Invalid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}", e); }
        return node as JsonObject ?? throw new JsonException("The request body must be a JSON object.");
    }

    /// <summary>An object-valued property as a string-keyed dictionary (workflow input).</summary>
    /// <exception cref="JsonException">The property is present but not an object.</exception>
    public static Dictionary<string, JsonNode?>? ReadInput(JsonObject body, string name = "input") => body[name] switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
        _ => throw new JsonException($"'{name}' must be a JSON object."),
    };

    public static IResult Json(object? value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, Serialization.ElsaJson.Options, statusCode: status);
}
