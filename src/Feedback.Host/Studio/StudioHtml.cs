using System.Text;
using System.Text.Encodings.Web;

namespace Feedback.Host.Studio;

/// <summary>One Studio custom element on a page, with the backend attributes every element needs.</summary>
/// <param name="Tag">The element name, e.g. <c>elsa-workflow-definition-editor</c>.</param>
/// <param name="Attributes">Element-specific attributes (<c>definition-id</c>, <c>instance-id</c>).</param>
internal sealed record StudioElement(string Tag, params (string Name, string Value)[] Attributes);

/// <summary>The admin shell's page frame: header with navigation and sign-out, and either plain content or a Studio element.</summary>
internal sealed class StudioHtml(HttpContext context, StudioToken? user)
{
    // Stylesheets and scripts the Studio's components expect on the page, in the order the package's own host page uses.
    private static readonly string[] StudioStyles =
    [
        "_content/MudBlazor/MudBlazor.min.css", "_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.css",
        "_content/Radzen.Blazor/css/material-base.css", "_content/Elsa.Studio.Shell/css/shell.css", "Elsa.Studio.Host.CustomElements.styles.css",
    ];

    private static readonly string[] StudioScripts =
    [
        "_content/BlazorMonaco/jsInterop.js", "_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js",
        "_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js", "_content/MudBlazor/MudBlazor.min.js",
        "_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.js", "_content/Radzen.Blazor/Radzen.Blazor.js", "_framework/blazor.webassembly.js",
    ];

    private string Base => context.Request.PathBase.Value ?? "";

    /// <summary>An application-relative URL with the path base in front.</summary>
    public string Href(string path) => Base + path;

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A server-rendered page of the shell.</summary>
    public IResult Page(string title, string content, int status = StatusCodes.Status200OK) =>
        Result(Document(title, content, element: null), status);

    /// <summary>A page whose body is one Studio element talking to this host's API with the user's token.</summary>
    public IResult Studio(string title, StudioElement element)
    {
        var origin = $"{context.Request.Scheme}://{context.Request.Host}{Base}";
        var attributes = new StringBuilder();
        foreach (var (name, value) in element.Attributes) attributes.Append($" {name}=\"{Encode(value)}\"");
        attributes.Append($" remote-endpoint=\"{Encode(origin + "/elsa/api")}\"");
        attributes.Append($" access-token=\"{Encode(user!.Value)}\"");
        var content = $"<main class=\"studio\"><{element.Tag}{attributes}></{element.Tag}></main>" +
            "<div id=\"blazor-error-ui\">The Studio hit an unexpected error. <a href=\"\" class=\"reload\">Reload</a> <a class=\"dismiss\">Dismiss</a></div>";
        return Result(Document(title, content, element), StatusCodes.Status200OK);
    }

    private string Document(string title, string content, StudioElement? element)
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append($"<title>{Encode(title)} · Feedback Workflows</title>\n");
        // The Studio loads its files relative to the base address, so its pages point it at /studio/.
        if (element is not null) page.Append($"<base href=\"{Encode(Href(StudioRoutes.Root))}/\">\n");
        page.Append($"<link rel=\"icon\" type=\"image/png\" href=\"{Encode(Href(StudioRoutes.Root + "/_content/Elsa.Studio.Shell/favicon-32x32.png"))}\">\n");
        if (element is not null)
            foreach (var style in StudioStyles) page.Append($"<link rel=\"stylesheet\" href=\"{style}\">\n");
        page.Append($"<link rel=\"stylesheet\" href=\"{Encode(Href(StudioRoutes.ShellCss))}\">\n</head>\n");
        var expires = user is null ? "" : $" data-expires-at=\"{user.ExpiresAt.ToUnixTimeMilliseconds()}\"";
        page.Append($"<body data-base=\"{Encode(Base)}\"{expires}>\n");
        page.Append(Header());
        page.Append(content).Append('\n');
        if (element is not null)
            foreach (var script in StudioScripts) page.Append($"<script src=\"{script}\"></script>\n");
        page.Append($"<script src=\"{Encode(Href(StudioRoutes.ShellJs))}\"></script>\n</body>\n</html>\n");
        return page.ToString();
    }

    private string Header()
    {
        var path = context.Request.Path.Value ?? "";
        string Nav(string route, string label) =>
            $"<a href=\"{Encode(Href(route))}\"{(path.StartsWith(route, StringComparison.Ordinal) ? " aria-current=\"page\"" : "")}>{label}</a>";
        var header = new StringBuilder("<header class=\"shell\"><span class=\"brand\">Feedback Workflows</span>");
        if (user is not null)
        {
            header.Append("<nav>").Append(Nav(StudioRoutes.Definitions, "Workflows")).Append(Nav(StudioRoutes.Instances, "Instances")).Append("</nav>");
            header.Append($"<form class=\"signout\" method=\"post\" action=\"{Encode(Href(StudioRoutes.SignOut))}\">");
            header.Append($"<span class=\"user\">{Encode(user.UserName)}</span><button type=\"submit\">Sign out</button></form>");
        }
        return header.Append("</header>\n").ToString();
    }

    private IResult Result(string html, int status)
    {
        var headers = context.Response.Headers;
        // Pages carry the user's token, so they are never stored and never framed by another site.
        headers.CacheControl = "no-store";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
