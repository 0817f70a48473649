using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;

namespace Feedback.Host.Studio;

/// <summary>The workflow list (server-rendered from the definition store) and the form that starts a new workflow.</summary>
internal static class StudioDefinitionPages
{
    private const int PageSize = 25;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(StudioRoutes.Definitions, async (HttpContext context, WorkflowDefinitionStore store, string? q, int? page) =>
        {
            var html = new StudioHtml(context, context.StudioUser());
            var pageIndex = Math.Max(0, page ?? 0);
            var ct = context.RequestAborted;
            var (latest, total) = await store.ListAsync(VersionOptions.Latest, q, null, null, pageIndex, PageSize, false, ct);
            var ids = latest.Select(d => d.DefinitionId).ToList();
            var published = ids.Count == 0 ? [] : (await store.ListAsync(VersionOptions.Published, null, ids, null, 0, PageSize, false, ct)).Items
                .ToDictionary(d => d.DefinitionId);
            return html.Page("Workflows", ListContent(html, latest, published, q, pageIndex, total));
        }).RequireStudioUser();

        app.MapGet(StudioRoutes.NewDefinition, (HttpContext context) =>
            NewPage(new StudioHtml(context, context.StudioUser()), name: null, description: null, error: null)).RequireStudioUser();

        app.MapPost(StudioRoutes.NewDefinition, async (HttpContext context, WorkflowDefinitionStore store) =>
        {
            if (!StudioSession.IsSameOriginPost(context.Request)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            var html = new StudioHtml(context, context.StudioUser());
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var name = form["name"].ToString().Trim();
            var description = form["description"].ToString().Trim();
            if (name.Length == 0) return NewPage(html, name, description, "Give the workflow a name.");
            if (!await store.IsNameUniqueAsync(name, null, context.RequestAborted))
                return NewPage(html, name, description, $"A workflow named '{name}' already exists; choose another name.");
            var saved = await store.SaveAsync(EmptyWorkflow(name, description), publish: false, context.RequestAborted);
            return Results.Redirect(html.Href(StudioRoutes.Edit(saved.Definition.DefinitionId)));
        }).RequireStudioUser();
    }

    /// <summary>A draft with an empty flowchart, shaped like the ones the Studio itself creates.</summary>
    private static JsonObject EmptyWorkflow(string name, string description)
    {
        var rootId = RandomNumberGenerator.GetHexString(16, lowercase: true);
        return new JsonObject
        {
            ["name"] = name,
            ["description"] = description.Length == 0 ? null : description,
            ["toolVersion"] = "3.8.0",
            ["variables"] = new JsonArray(), ["inputs"] = new JsonArray(), ["outputs"] = new JsonArray(), ["outcomes"] = new JsonArray(),
            ["customProperties"] = new JsonObject(),
            ["options"] = new JsonObject { ["autoUpdateConsumingWorkflows"] = false },
            ["root"] = new JsonObject
            {
                ["id"] = rootId, ["nodeId"] = $"Workflow1:{rootId}", ["type"] = "Elsa.Flowchart", ["version"] = 1, ["name"] = "Flowchart1",
                ["customProperties"] = new JsonObject(), ["metadata"] = new JsonObject(),
                ["activities"] = new JsonArray(), ["connections"] = new JsonArray(),
            },
        };
    }

    private static string ListContent(StudioHtml html, IReadOnlyList<WorkflowDefinitionRecord> latest, Dictionary<string, WorkflowDefinitionRecord> published,
        string? search, int page, int total)
    {
        var content = new StringBuilder("<main class=\"page\">");
        content.Append("<div class=\"toolbar\"><h1>Workflows</h1>");
        content.Append($"<form method=\"get\" action=\"{StudioHtml.Encode(html.Href(StudioRoutes.Definitions))}\" class=\"search\">");
        content.Append($"<input type=\"search\" name=\"q\" value=\"{StudioHtml.Encode(search)}\" placeholder=\"Search by name or description\" aria-label=\"Search\">");
        content.Append("<button type=\"submit\">Search</button></form>");
        content.Append($"<a class=\"button primary\" href=\"{StudioHtml.Encode(html.Href(StudioRoutes.NewDefinition))}\">New workflow</a></div>");

        if (latest.Count == 0)
        {
            content.Append(string.IsNullOrWhiteSpace(search)
                ? "<p class=\"empty\">No workflows yet. Start one with <strong>New workflow</strong>.</p>"
                : "<p class=\"empty\">No workflow matches the search.</p>");
            return content.Append("</main>").ToString();
        }

        content.Append("<table class=\"list\"><thead><tr><th>Name</th><th>State</th><th>Changed (UTC)</th><th>Description</th></tr></thead><tbody>");
        foreach (var definition in latest)
        {
            published.TryGetValue(definition.DefinitionId, out var live);
            content.Append("<tr>");
            content.Append($"<td><a href=\"{StudioHtml.Encode(html.Href(StudioRoutes.Edit(definition.DefinitionId)))}\">{StudioHtml.Encode(definition.Name ?? definition.DefinitionId)}</a></td>");
            content.Append($"<td>{State(definition, live)}</td>");
            content.Append($"<td>{definition.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td>");
            content.Append($"<td class=\"description\">{StudioHtml.Encode(definition.Description)}</td>");
            content.Append("</tr>");
        }
        content.Append("</tbody></table>");

        var pages = (total + PageSize - 1) / PageSize;
        if (pages > 1)
        {
            string Link(int target, string label) => $"<a href=\"{StudioHtml.Encode(html.Href(StudioRoutes.Definitions))}?page={target}" +
                $"{(string.IsNullOrWhiteSpace(search) ? "" : "&amp;q=" + StudioHtml.Encode(Uri.EscapeDataString(search)))}\">{label}</a>";
            content.Append("<nav class=\"pager\">");
            if (page > 0) content.Append(Link(page - 1, "Previous"));
            content.Append($"<span>Page {page + 1} of {pages}</span>");
            if (page + 1 < pages) content.Append(Link(page + 1, "Next"));
            content.Append("</nav>");
        }
        return content.Append("</main>").ToString();
    }

    private static string State(WorkflowDefinitionRecord latest, WorkflowDefinitionRecord? published) => (latest.IsPublished, published) switch
    {
        (true, _) => $"<span class=\"badge published\">Published</span> v{latest.Version}",
        (false, null) => $"<span class=\"badge draft\">Draft</span> v{latest.Version}",
        (false, { } live) => $"<span class=\"badge published\">Published</span> v{live.Version}, <span class=\"badge draft\">Draft</span> v{latest.Version}",
    };

    private static IResult NewPage(StudioHtml html, string? name, string? description, string? error)
    {
        var message = error is null ? "" : $"<p class=\"error\" role=\"alert\">{StudioHtml.Encode(error)}</p>";
        var content = $"""
            <main class="page narrow">
            <h1>New workflow</h1>
            <form method="post" action="{StudioHtml.Encode(html.Href(StudioRoutes.NewDefinition))}" class="stacked">
            {message}
            <label>Name <input name="name" required maxlength="200" autofocus value="{StudioHtml.Encode(name)}"></label>
            <label>Description <textarea name="description" rows="3" maxlength="2000">{StudioHtml.Encode(description)}</textarea></label>
            <p class="hint">The workflow starts as an empty draft; the editor opens next.</p>
            <button type="submit" class="primary">Create and open the editor</button>
            </form>
            </main>
            """;
        return html.Page("New workflow", content, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}
