using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Feedback.Activities.Notification;
using Feedback.Host.Pages.Shared;
using MimeKit;

namespace Feedback.Host.Pages.DevMail;

/// <summary>
/// <c>/dev/mail</c>: the development mailbox (the <c>.eml</c> files kept when no SMTP server is configured), so a
/// new user can read what would have been sent and click its links. Only without SMTP, and only from this machine:
/// the mail holds customer data and live action links.
/// </summary>
internal static partial class DevMailPages
{
    public const string Route = "/dev/mail";
    private const int MaxListed = 200;
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"];

    public static void MapDevMailPages(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, async (HttpContext http, EmailOptions email, CancellationToken ct) =>
        {
            if (!Allowed(http, email)) return Results.NotFound();
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var folder = new DirectoryInfo(email.DevMailboxFolder);
            var files = folder.Exists ? folder.GetFiles("*.eml").OrderByDescending(f => f.LastWriteTimeUtc).Take(MaxListed).ToList() : [];
            var html = new StringBuilder($"<p class=\"muted\">{PageFrame.E(page.T("devmail.intro"))} {PageFrame.E(email.DevMailboxFolder)}</p>");
            if (files.Count == 0) html.Append($"<section><p>{PageFrame.E(page.T("devmail.empty"))}</p></section>");
            else
            {
                html.Append("<section><ol class=\"history\">");
                foreach (var file in files)
                {
                    var headers = await HeadersAsync(file.FullName, ct);
                    var id = Path.GetFileNameWithoutExtension(file.Name);
                    html.Append($"<li><span class=\"muted\">{PageFrame.E(file.LastWriteTimeUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))} · {PageFrame.E(headers.To)}</span><br>"
                        + $"<a href=\"{PageFrame.E(Route + "/" + id)}\">{PageFrame.E(headers.Subject)}</a></li>");
                }
                html.Append("</ol></section>");
            }
            return page.Render(page.T("devmail.title"), html.ToString());
        });

        app.MapGet(Route + "/{id}", async (string id, HttpContext http, EmailOptions email, CancellationToken ct) =>
        {
            if (!Allowed(http, email) || !SafeId().IsMatch(id)) return Results.NotFound();
            var path = Path.Combine(email.DevMailboxFolder, id + ".eml");
            if (!File.Exists(path)) return Results.NotFound();
            var message = await MimeMessage.LoadAsync(path, ct);
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var html = new StringBuilder("<section><dl>");
            html.Append($"<dt>{PageFrame.E(page.T("devmail.to"))}</dt><dd>{PageFrame.E(message.To.ToString())}</dd>");
            html.Append($"<dt>{PageFrame.E(page.T("devmail.at"))}</dt><dd>{PageFrame.E(message.Date.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))}</dd>");
            html.Append("</dl></section><section>");
            // The plain-text part, with its links made clickable the same way the HTML part of the mail does.
            foreach (var line in (message.TextBody ?? "").Replace("\r\n", "\n").Split('\n'))
                html.Append(Linkify(line)).Append("<br>");
            html.Append($"</section><p><a href=\"{PageFrame.E(Route)}\">{PageFrame.E(page.T("devmail.title"))}</a></p>");
            return page.Render(message.Subject ?? "", html.ToString());
        });
    }

    /// <summary>
    /// Without SMTP, and from this machine (or in-process, where there is no remote address). A reverse proxy on the
    /// same machine connects from loopback too, on behalf of anyone: a request that carries a proxy's forwarding
    /// headers is never taken as local.
    /// </summary>
    private static bool Allowed(HttpContext http, EmailOptions email) =>
        string.IsNullOrWhiteSpace(email.SmtpHost) && !Forwarded(http.Request)
        && (http.Connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote));

    private static bool Forwarded(HttpRequest request) => ForwardingHeaders.Any(request.Headers.ContainsKey);

    private static async Task<(string To, string Subject)> HeadersAsync(string path, CancellationToken ct)
    {
        // Development mail is small; loading the whole message decodes the headers properly.
        var message = await MimeMessage.LoadAsync(path, ct);
        return (message.To.ToString(), message.Subject ?? "");
    }

    private static string Linkify(string line)
    {
        var html = new StringBuilder();
        var last = 0;
        foreach (Match url in UrlPattern().Matches(line))
        {
            html.Append(PageFrame.E(line[last..url.Index]));
            html.Append($"<a href=\"{PageFrame.E(url.Value)}\">{PageFrame.E(url.Value)}</a>");
            last = url.Index + url.Length;
        }
        return html.Append(PageFrame.E(line[last..])).ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SafeId();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex UrlPattern();
}
