namespace Feedback.Activities.Intake;

/// <summary>What a customer photo may be, wherever it arrives (web form upload or e-mail attachment).</summary>
public static class PhotoRules
{
    /// <remarks>Never lower it: retention finds a mail's stored pictures by trying this many ids (see <c>MailIntakeService.PictureIds</c>).</remarks>
    public const int MaxPhotos = 3;
    public const int MaxPhotoBytes = 5 * 1024 * 1024;

    /// <summary>Where the host serves stored photos: a case's photo link ends in <c>/photos/{id}</c>.</summary>
    public const string Route = "/photos";

    /// <summary>The stored photo's id from its link, or null for a link elsewhere (a picture the customer linked to).</summary>
    public static string? IdFromLink(string link)
    {
        var marker = link.LastIndexOf(Route + "/", StringComparison.Ordinal);
        if (marker < 0) return null;
        var id = link[(marker + Route.Length + 1)..];
        return id.Length > 0 && id.All(char.IsAsciiLetterOrDigit) ? id : null;
    }

    /// <summary>The picture type by its first bytes (JPEG, PNG or WebP), never by name or claimed type; null otherwise.</summary>
    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        if (content.Length >= 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF) return "image/jpeg";
        if (content.Length >= 8 && content[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return "image/png";
        if (content.Length >= 12 && content[..4].SequenceEqual("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }
}
