using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Feedback.Host.Studio;

/// <summary>
/// Serves the files of the Elsa Studio npm package under <c>/studio</c>: the precompressed <c>.br</c>/<c>.gz</c>
/// variant the browser accepts (with <c>Content-Encoding</c>), MIME types the Blazor loader needs, a year of caching
/// for fingerprinted names and revalidation for the rest.
/// </summary>
public sealed partial class StudioFiles
{
    /// <summary>Where the build installs the package, relative to the content root.</summary>
    public const string DefaultRelativeFolder = "Studio/node_modules/@elsa-workflows/elsa-studio-wasm";

    // Only these top-level entries are the Studio's runtime; the package's own index.html is broken and replaced by our pages.
    private static readonly string[] ServedRoots = ["_framework/", "_content/", "Elsa.Studio.Host.CustomElements.styles.css", "appsettings.json"];
    private static readonly (string Suffix, string Encoding)[] Encodings = [(".br", "br"), (".gz", "gzip")];
    private readonly FileExtensionContentTypeProvider _types = new();
    private PhysicalFileProvider? _files;

    public StudioFiles(string folder, bool configured)
    {
        Folder = Path.GetFullPath(folder);
        // The page that names the folder is public; a configured absolute path is the operator's business, not the visitor's.
        DisplayFolder = configured ? "the folder set in Studio:FilesPath" : $"{DefaultRelativeFolder} under the host's folder";
        _types.Mappings[".wasm"] = "application/wasm";
        _types.Mappings[".dat"] = "application/octet-stream";
        _types.Mappings[".webmanifest"] = "application/manifest+json";
        _types.Mappings[".cur"] = "image/x-icon";
        _types.Mappings[".map"] = "application/json";
        _types.Mappings[".js"] = "text/javascript";
        _types.Mappings[".mjs"] = "text/javascript";
        _types.Mappings[".woff2"] = "font/woff2";
    }

    /// <summary>The package folder (absolute).</summary>
    public string Folder { get; }

    /// <summary>The folder as the "files are missing" page describes it, without revealing absolute paths.</summary>
    public string DisplayFolder { get; }

    /// <summary>True when the package is installed (checked on each call, so installing it needs no restart).</summary>
    public bool Available => File.Exists(Path.Combine(Folder, "_framework", "blazor.webassembly.js"));

    /// <summary>Answers a GET or HEAD for <paramref name="path"/> (relative to <c>/studio/</c>), or 404.</summary>
    public IResult Serve(HttpContext context, string path)
    {
        // Created on first use, so that a Studio installed while the host runs is served without a restart.
        if (_files is null && Available) _files = new PhysicalFileProvider(Folder);
        if (_files is null || !ServedRoots.Any(r => path.StartsWith(r, StringComparison.Ordinal)) || Encodings.Any(e => path.EndsWith(e.Suffix, StringComparison.Ordinal)))
            return Results.NotFound();
        var file = _files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || file.PhysicalPath is null || !_types.TryGetContentType(path, out var contentType))
            return Results.NotFound();

        var (served, encoding) = Negotiate(context.Request, path, file);
        var headers = context.Response.Headers;
        if (encoding is not null) headers.ContentEncoding = encoding;
        if (served != file || HasVariant(path)) headers.Vary = HeaderNames.AcceptEncoding;
        headers.CacheControl = IsFingerprinted(path) ? "public, max-age=31536000, immutable" : "no-cache";
        headers.XContentTypeOptions = "nosniff";
        var etag = new EntityTagHeaderValue($"\"{served.Length:x}-{served.LastModified.UtcTicks:x}{(encoding is null ? "" : "-" + encoding)}\"");
        // Byte ranges of a compressed representation help nobody here; only the plain file allows them.
        return Results.File(served.PhysicalPath!, contentType, lastModified: served.LastModified, entityTag: etag, enableRangeProcessing: encoding is null);
    }

    private (IFileInfo File, string? Encoding) Negotiate(HttpRequest request, string path, IFileInfo plain)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        foreach (var (suffix, encoding) in Encodings)
        {
            var match = accepted.FirstOrDefault(a => string.Equals(a.Value.Value, encoding, StringComparison.OrdinalIgnoreCase))
                ?? accepted.FirstOrDefault(a => a.Value.Value == "*");
            if (match is null || (match.Quality ?? 1.0) <= 0) continue;
            var variant = _files!.GetFileInfo(path + suffix);
            if (variant.Exists && variant.PhysicalPath is not null) return (variant, encoding);
        }
        return (plain, null);
    }

    private bool HasVariant(string path) => Encodings.Any(e => _files!.GetFileInfo(path + e.Suffix).Exists);

    /// <summary>Blazor's content-hashed names (<c>Name.abcdef1234.wasm</c>) never change content, so they can be cached for good.</summary>
    private static bool IsFingerprinted(string path) => Fingerprint().IsMatch(path);

    [GeneratedRegex(@"\.[a-z0-9]{10}\.(wasm|js|dat|pdb)$")]
    private static partial Regex Fingerprint();
}
