using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Feedback.Activities.Notification;

/// <summary>The HTML alternative of a plain-text mail: the same text, encoded, with its links clickable.</summary>
public static partial class MailHtml
{
    /// <summary>Paragraphs from blank lines, line breaks kept, every http(s) URL a link.</summary>
    /// <param name="language">The text's language (e.g. zh-CN), marked on the document; null leaves it unmarked.</param>
    public static string FromText(string text, string? language = null)
    {
        var lang = language is null ? "" : $" lang=\"{WebUtility.HtmlEncode(language)}\"";
        var html = new StringBuilder($"<!DOCTYPE html><html{lang}><body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">");
        foreach (var paragraph in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            html.Append("<p>");
            var lines = paragraph.Trim('\n').Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0) html.Append("<br>");
                var last = 0;
                foreach (Match url in UrlPattern().Matches(lines[i]))
                {
                    html.Append(WebUtility.HtmlEncode(lines[i][last..url.Index]));
                    var href = WebUtility.HtmlEncode(url.Value);
                    html.Append($"<a href=\"{href}\">{href}</a>");
                    last = url.Index + url.Length;
                }
                html.Append(WebUtility.HtmlEncode(lines[i][last..]));
            }
            html.Append("</p>");
        }
        return html.Append("</body></html>").ToString();
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}
