using Microsoft.Net.Http.Headers;

namespace Feedback.Host.Pages.Shared;

/// <summary>Which of zh-CN, zh-TW and en a page speaks: <c>?lang=</c>, else the case's language, else Accept-Language, else zh-CN.</summary>
internal static class PageLanguage
{
    public static readonly string[] Supported = ["zh-CN", "zh-TW", "en"];

    public static string Choose(HttpRequest request, string? caseLanguage = null)
    {
        if (Match(request.Query["lang"].ToString()) is { } asked) return asked;
        if (Match(caseLanguage) is { } ofCase) return ofCase;
        var accepted = request.GetTypedHeaders().AcceptLanguage;
        foreach (var value in accepted.OrderByDescending(v => v.Quality ?? 1.0))
            if (Match(value.Value.Value) is { } found) return found;
        return "zh-CN";
    }

    /// <summary>The supported language a tag means: zh-Hant, zh-HK and zh-TW are traditional; other zh simplified; en-* English.</summary>
    public static string? Match(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return null;
        tag = tag.Trim();
        if (Supported.FirstOrDefault(s => s.Equals(tag, StringComparison.OrdinalIgnoreCase)) is { } exact) return exact;
        if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
            return tag.Contains("Hant", StringComparison.OrdinalIgnoreCase) || tag.EndsWith("HK", StringComparison.OrdinalIgnoreCase)
                || tag.EndsWith("MO", StringComparison.OrdinalIgnoreCase) || tag.EndsWith("TW", StringComparison.OrdinalIgnoreCase) ? "zh-TW" : "zh-CN";
        return tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? "en" : null;
    }
}
