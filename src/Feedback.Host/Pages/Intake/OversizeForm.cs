using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Feedback.Host.Pages.Intake;

/// <summary>
/// Reads the text fields of a form post too large to take (photos over the limit) and skips its files, so that the
/// form comes back filled in. A browser whose upload the server stops reading mid-way shows a connection error instead
/// of any answer, and the customer's text would be lost with it.
/// </summary>
internal static class OversizeForm
{
    /// <summary>The largest post read through to its end; a larger one gets the short answer unread.</summary>
    public const long MaxDrainedBytes = 64L * 1024 * 1024;

    private const int MaxFieldBytes = 64 * 1024;
    private const int MaxSections = 50;

    /// <summary>The post's text fields (a field over 64 KB cut there); null when the post is not a readable multipart form or too large to read.</summary>
    public static async Task<Dictionary<string, string>?> ReadTextFieldsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxDrainedBytes) return null;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return null;
        // Kestrel's own limit would cut the upload before its end, which is what this reader is here to avoid.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxDrainedBytes;

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = MaxDrainedBytes };
        try
        {
            for (var sections = 0; await reader.ReadNextSectionAsync(cancellationToken) is { } section; sections++)
            {
                if (sections >= MaxSections) return null;
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || disposition.IsFileDisposition())
                {
                    await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                var text = await ReadCappedAsync(section.Body, cancellationToken);
                if (name is { Length: > 0 }) fields[name] = text.Trim();
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            // Cut off, malformed, or larger than Kestrel lets through: nothing to give back.
            return null;
        }
        return fields;
    }

    /// <summary>A field's text, up to <see cref="MaxFieldBytes"/>; the rest is read and dropped.</summary>
    private static async Task<string> ReadCappedAsync(Stream body, CancellationToken cancellationToken)
    {
        var kept = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            if (kept.Length < MaxFieldBytes) kept.Write(buffer, 0, (int)Math.Min(read, MaxFieldBytes - kept.Length));
        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }
}
