using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Api;

/// <summary>What the host answers outside the Elsa API: where things are, and whether it is healthy.</summary>
internal static class HostEndpointExtensions
{
    public static void MapHostEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Json(new
        {
            service = "Feedback Workflows",
            api = "/elsa/api",
            authorization = "Authorization: ApiKey <key>",
            health = "/health",
        }));

        app.MapGet("/health", async (IDbContextFactory<WorkflowDbContext> dbFactory, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct)
                ? Results.Json(new { status = "Healthy", database = db.Dialect.Name })
                : Results.Json(new { status = "Unhealthy", database = db.Dialect.Name }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
