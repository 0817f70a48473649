using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>
/// Deleting instances and cancelling many at once, as the Studio's instance list calls them. Deleting refuses an
/// instance that has not finished (409); a bulk delete naming one refuses the whole batch and deletes nothing.
/// </summary>
internal static class InstanceOperationEndpoints
{
    private const int MaxBatch = 500;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapDelete("/workflow-instances/{id}", async (string id, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            await runtime.DeleteAsync(id, ct);
            return Results.NoContent();
        });

        api.MapPost("/bulk-actions/delete/workflow-instances/by-id", async (HttpRequest request, WorkflowRuntime runtime, WorkflowInstanceStore store, CancellationToken ct) =>
        {
            var ids = await IdsAsync(request, ct);
            var found = new List<string>();
            var unfinished = new List<string>();
            foreach (var id in ids)
            {
                if (await store.FindAsync(id, ct) is not { } instance) continue;
                found.Add(id);
                if (instance.Status != nameof(WorkflowStatus.Finished)) unfinished.Add($"{id} ({instance.SubStatus})");
            }
            if (unfinished.Count > 0)
                throw new WorkflowInstanceStateException($"Not deleted: these instances have not finished; cancel them first: {string.Join(", ", unfinished)}.");
            var deleted = 0;
            foreach (var id in found)
            {
                try
                {
                    await runtime.DeleteAsync(id, ct);
                    deleted++;
                }
                catch (WorkflowInstanceNotFoundException)
                {
                    // Deleted by someone else meanwhile: the caller's wish holds, it just was not this call.
                }
            }
            return ApiJson.Json(new { deleted });
        });

        // The Studio's client posts without "/by-id"; older clients with it. Both take the same body.
        foreach (var route in new[] { "/bulk-actions/cancel/workflow-instances", "/bulk-actions/cancel/workflow-instances/by-id" })
        {
            api.MapPost(route, async (HttpRequest request, WorkflowRuntime runtime, WorkflowInstanceStore store, CancellationToken ct) =>
            {
                var body = await ApiJson.ReadObjectAsync(request, ct);
                var versionId = (string?)Field(body, "definitionVersionId");
                if (Field(body, "ids") is null && string.IsNullOrWhiteSpace(versionId))
                    throw new JsonException("Give 'ids' (instance ids) or 'definitionVersionId' (every running instance of that version).");
                var ids = Ids(body, required: false);
                if (!string.IsNullOrWhiteSpace(versionId)) ids.AddRange(await store.RunningIdsOfVersionAsync(versionId, MaxBatch, ct));
                var cancelled = 0;
                foreach (var id in ids.Distinct(StringComparer.Ordinal))
                {
                    // Only what is still running is cancelled; finished and unknown ids are skipped, and the count says so.
                    if (await store.FindAsync(id, ct) is not { Status: nameof(WorkflowStatus.Running) }) continue;
                    try
                    {
                        await runtime.CancelAsync(id, ct);
                        cancelled++;
                    }
                    catch (Exception e) when (e is WorkflowInstanceStateException or WorkflowInstanceNotFoundException)
                    {
                        // Finished or deleted between the look and the cancel: nothing left to cancel.
                    }
                }
                return ApiJson.Json(new { cancelled });
            });
        }
    }

    private static async Task<List<string>> IdsAsync(HttpRequest request, CancellationToken ct) =>
        Ids(await ApiJson.ReadObjectAsync(request, ct), required: true);

    /// <exception cref="JsonException">'ids' is missing (when required), not an array of strings, or too long.</exception>
    private static List<string> Ids(JsonObject body, bool required)
    {
        var node = Field(body, "ids");
        if (node is null)
            return required ? throw new JsonException("'ids' is required: the instance ids.") : [];
        if (node is not JsonArray array || array.Any(x => x is not JsonValue v || !v.TryGetValue<string>(out _)))
            throw new JsonException("'ids' must be an array of instance ids.");
        if (array.Count > MaxBatch) throw new JsonException($"At most {MaxBatch} ids per request.");
        return array.Select(x => x!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToList();
    }

    // Clients of different Elsa versions send camelCase or PascalCase names.
    private static JsonNode? Field(JsonObject body, string name) => body[name] ?? body[char.ToUpperInvariant(name[0]) + name[1..]];
}
