using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Serialization;
using Microsoft.AspNetCore.Http;

namespace Feedback.Workflows.Api;

/// <summary>Request reading with errors that say where the JSON broke.</summary>
internal static class ApiJson
{
    /// <summary>The largest request body the definition and instance endpoints read (a definition with hundreds of activities is well under it).</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>The body as a JSON object; an empty body is an empty object.</summary>
    /// <exception cref="JsonException">Not JSON, not an object, or holding text that cannot be stored; the message says where.</exception>
    /// <exception cref="BadHttpRequestException">The body is larger than <see cref="MaxBodyBytes"/> (413).</exception>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var bytes = await ReadCappedAsync(request.Body, request.ContentLength, cancellationToken);
        if (bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8) < 0) return new JsonObject();
        return ParseObject(bytes, "The request body");
    }

    /// <summary>Parses a JSON object after <see cref="StorableJson.Check"/>; <paramref name="what"/> names it in messages.</summary>
    /// <exception cref="JsonException">Not JSON, not an object, or holding text that cannot be stored.</exception>
    public static JsonObject ParseObject(byte[] utf8, string what)
    {
        JsonNode? node;
        try
        {
            StorableJson.Check(utf8);
            node = JsonNode.Parse(utf8);
        }
        catch (JsonException e) when (e.LineNumber is { } line)
        {
            throw new JsonException($"Invalid JSON at line {line + 1}, position {e.BytePositionInLine + 1}: {e.Message}", e);
        }
        return node as JsonObject ?? throw new JsonException($"{what} must be a JSON object.");
    }

    /// <summary>Reads a stream to its end, refusing more than <see cref="MaxBodyBytes"/>.</summary>
    /// <exception cref="BadHttpRequestException">Too large (413).</exception>
    public static async Task<byte[]> ReadCappedAsync(Stream stream, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength > MaxBodyBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) throw TooLarge(); // the declared length may be absent or false
        }
        return buffer.ToArray();
    }

    private static BadHttpRequestException TooLarge() =>
        new($"The body is larger than {MaxBodyBytes / (1024 * 1024)} MB.", StatusCodes.Status413PayloadTooLarge);

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
