using System.Text.Json;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Workflows.Api;

namespace Feedback.Host.Api;

/// <summary>Admins read and replace the company directory: departments, staff and the routing table.</summary>
internal static class DirectoryEndpoints
{
    public static void MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/directory").AddEndpointFilter<ApiKeyFilter>();
        admin.MapGet("", async (DirectoryService directory, CancellationToken ct) => Results.Json(await directory.GetAsync(ct), FeedbackEndpoints.Json));
        admin.MapPut("", async (HttpRequest request, DirectoryService directory, CancellationToken ct) =>
        {
            OrganizationDocument? document;
            try { document = await JsonSerializer.DeserializeAsync<OrganizationDocument>(request.Body, FeedbackEndpoints.Json, ct); }
            catch (JsonException e) { throw new CaseValidationException([$"body: {e.Message.Split(" Path:")[0]} (at {e.Path ?? "$"})."]); }
            await directory.ReplaceAsync(document ?? throw new CaseValidationException(["body: required."]), ct);
            return Results.NoContent();
        });
    }
}
