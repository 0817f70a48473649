using System.Text.Json;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Workflows.Api;
using Feedback.Workflows.Persistence;

namespace Feedback.Host.Api;

/// <summary>Admins read and replace the company directory: departments, staff and the routing table.</summary>
internal static class DirectoryEndpoints
{
    public static void MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/directory").AddEndpointFilter<ApiKeyFilter>();
        admin.MapGet("", async (DirectoryService directory, CancellationToken ct) => Results.Json(await directory.GetAsync(ct), FeedbackEndpoints.Json));
        admin.MapPut("", async (HttpRequest request, DirectoryService directory, WorkflowDefinitionStore definitions, CancellationToken ct) =>
        {
            OrganizationDocument? document;
            try { document = await JsonSerializer.DeserializeAsync<OrganizationDocument>(request.Body, FeedbackEndpoints.Json, ct); }
            catch (JsonException e) { throw new CaseValidationException([$"body: {e.Message.Split(" Path:")[0]} (at {e.Path ?? "$"})."]); }
            if (document is null) throw new CaseValidationException(["body: required."]);
            var errors = DirectoryService.Validate(document);
            errors.AddRange(await UnpublishedRoutesAsync(document, await directory.GetAsync(ct), definitions, ct));
            if (errors.Count > 0) throw new CaseValidationException(errors);
            await directory.ReplaceAsync(document, ct);
            return Results.NoContent();
        });
    }

    /// <summary>
    /// A route to a process that is not published would only show its mistake when feedback on that route arrives and
    /// is turned away, so a new one is refused. Routes already stored stay allowed (a process retracted since, or a
    /// start-up seed loaded before the definitions), so that an unrelated edit of the directory is never blocked.
    /// </summary>
    private static async Task<List<string>> UnpublishedRoutesAsync(
        OrganizationDocument document, OrganizationDocument current, WorkflowDefinitionStore definitions, CancellationToken ct)
    {
        var stored = current.Intake.Select(r => r.Process).ToHashSet(StringComparer.Ordinal);
        var errors = new List<string>();
        for (var i = 0; i < document.Intake.Count; i++)
        {
            var process = document.Intake[i].Process;
            if (string.IsNullOrWhiteSpace(process) || stored.Contains(process)) continue; // blank: the directory's own validation names it
            if (await definitions.FindAsync(process, VersionOptions.Published, ct) is null)
                errors.Add($"intake[{i}].process: '{process}' is not a published process; publish it first or name another.");
        }
        return errors;
    }
}
