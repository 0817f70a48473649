using System.Text.Json;
using Feedback.Workflows.Serialization;

namespace Feedback.Host.Api;

/// <summary>Request bodies for the product's own APIs: read with a size cap, parsed with errors that say where.</summary>
internal static class JsonBody
{
    /// <summary>Reads and parses the body; <paramref name="invalid"/> builds the 400 exception for a message.</summary>
    /// <exception cref="PayloadTooLargeException">The body is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, long maxBytes, Func<string, Exception> invalid, CancellationToken ct) where T : class
    {
        if (request.ContentLength > maxBytes) throw new PayloadTooLargeException(maxBytes);
        if (!request.HasJsonContentType()) throw invalid("Content-Type: send application/json.");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            // The declared length can be absent or false; count what actually arrives.
            if (buffer.Length > maxBytes) throw new PayloadTooLargeException(maxBytes);
        }
        try
        {
            var bytes = buffer.ToArray();
            StorableJson.Check(bytes);
            return JsonSerializer.Deserialize<T>(bytes, FeedbackEndpoints.Json);
        }
        catch (JsonException e)
        {
            throw invalid($"body: {e.Message.Split(" Path:")[0]} (at {e.Path ?? "$"}, line {e.LineNumber + 1}).");
        }
    }
}
