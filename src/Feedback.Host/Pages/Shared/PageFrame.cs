using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Feedback.Host.Pages.Shared;

/// <summary>
/// The frame of the public and staff pages: plain server-rendered HTML with a little CSS, readable on a phone, in one
/// language with a switcher. Every text written into a page goes through <see cref="E"/>.
/// </summary>
internal sealed class PageFrame(HttpContext context, string language)
{
    public string Language { get; } = language;

    // Chinese text stays readable in the page source; markup characters are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static string E(string? text) => Encoder.Encode(text ?? "");

    /// <summary>The text for <paramref name="key"/> in the page's language.</summary>
    public string T(string key) => PageTexts.Get(key, Language);

    /// <summary>A hidden anti-forgery field for a form posted back to this host.</summary>
    public string AntiforgeryField()
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    private Feedback.Activities.Reports.ReportOptions Clock => context.RequestServices.GetRequiredService<Feedback.Activities.Reports.ReportOptions>();

    /// <summary>The company's clock (<c>Reports:TimeZone</c>), on which every page shows and reads times.</summary>
    public TimeZoneInfo Zone => Clock.Zone;

    /// <summary><paramref name="at"/> on the company's clock, with its offset from UTC named (<c>2026-11-25 07:59 (UTC+08:00)</c>).</summary>
    public string Time(DateTimeOffset at) => Clock.Show(at);

    /// <summary>The page's own path (with the path base), for forms that post back and for the switcher.</summary>
    public string Self => (context.Request.PathBase + context.Request.Path).ToString();

    public IResult Render(string title, string body, int status = StatusCodes.Status200OK)
    {
        var page = new StringBuilder();
        page.Append($"<!DOCTYPE html>\n<html lang=\"{E(Language)}\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
        page.Append("<meta name=\"robots\" content=\"noindex\">\n<link rel=\"icon\" href=\"data:,\">\n");
        page.Append($"<title>{E(title)}</title>\n<style>{Css}</style>\n</head>\n<body>\n<header><span class=\"site\">{E(T("site"))}</span><nav class=\"lang\">");
        foreach (var code in PageLanguage.Supported)
        {
            var name = PageTexts.Get("language.name", code);
            page.Append(code == Language ? $"<strong>{E(name)}</strong> " : $"<a href=\"{E(Self)}?lang={E(code)}\" hreflang=\"{E(code)}\">{E(name)}</a> ");
        }
        page.Append($"</nav></header>\n<main>\n<h1>{E(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n");
        return Results.Content(page.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A list of problems with a form, or nothing.</summary>
    public string Errors(IReadOnlyList<string>? errors)
    {
        if (errors is null || errors.Count == 0) return "";
        var list = new StringBuilder($"<div class=\"errors\" role=\"alert\"><p>{E(T("form.errors"))}</p><ul>");
        foreach (var error in errors) list.Append($"<li>{E(error)}</li>");
        return list.Append("</ul></div>").ToString();
    }

    private const string Css =
        "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1d2733;background:#f5f6f8}" +
        "header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5em;padding:.6em 1em;background:#1f4e79;color:#fff}header a{color:#fff}" +
        ".lang a,.lang strong{margin-left:.6em}main{max-width:46em;margin:0 auto;padding:1em}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.4em}" +
        "section,form{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:1em;margin:1em 0}label{display:block;margin:.8em 0 .2em;font-weight:600}" +
        "input[type=text],input[type=email],input[type=tel],input[type=number],input[type=date],input[type=url],input[type=password],select,textarea{width:100%;padding:.55em;font:inherit;border:1px solid #aab4c0;border-radius:4px}" +
        "textarea{min-height:7em}button{font:inherit;padding:.6em 1.2em;margin:.8em .6em 0 0;border:0;border-radius:4px;background:#1f4e79;color:#fff;cursor:pointer}" +
        "button.secondary{background:#5b6773}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}" +
        ".errors{border:1px solid #c0392b;background:#fdecea;padding:.6em 1em;border-radius:4px}.notice{border-left:4px solid #1f4e79;padding:.4em 1em;background:#fff}" +
        "ol.history{padding-left:1.2em}ol.history li{margin:.3em 0}.muted{color:#5b6773;font-size:.9em}.rating label{display:inline-block;font-weight:normal;margin-right:1em}" +
        "pre{white-space:pre-wrap;font:inherit;margin:0}";
}
