using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>
/// The Studio's activity Test tab (<c>POST /tests/activities</c>): runs one activity of a saved version on its own,
/// in memory. Nothing is committed: no instance, journal, bookmark, outbox message or domain change is stored, so a
/// test sends no mail and opens no task; variables have their declared defaults.
/// </summary>
internal static class ActivityTestEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/tests/activities", async (HttpRequest request, WorkflowDefinitionStore store, WorkflowDefinitionReader reader, WorkflowExecutor executor, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            var version = await FindVersionAsync(body["workflowDefinitionHandle"] as JsonObject, store, ct);
            var activityHandle = body["activityHandle"] as JsonObject ?? throw new JsonException("'activityHandle' is required.");
            var definition = WorkflowDefinitionStore.ToJson(version);
            var activity = FindActivity(definition, (string?)activityHandle["activityNodeId"], (string?)activityHandle["activityId"]);
            var activityId = (string)activity["id"]!;

            // The version reduced to this one activity: it is then the start, and nothing runs after it.
            var single = (JsonObject)definition.DeepClone();
            single["root"]!["activities"] = new JsonArray(activity.DeepClone());
            single["root"]!["connections"] = new JsonArray();
            var model = reader.Read(single, version.DefinitionId, version.Id, version.Version);
            var state = executor.CreateState(model, "test-" + Ids.New(), correlationId: null, input: null);
            var run = await executor.StartAsync(model, state, activityId, request.HttpContext.RequestServices, ct);

            var incident = run.State.Incidents.FirstOrDefault(i => i.ActivityId == activityId);
            var completed = run.Journal.LastOrDefault(j => j.ActivityId == activityId && j.EventName == "Completed");
            var status = incident is not null ? "Faulted" : completed is not null ? "Completed" : "Running";
            return ApiJson.Json(new
            {
                activityState = new JsonObject(),
                // What the activity did beyond its outputs: the outcomes it took, or the bookmarks it would wait on.
                payload = run.Journal.LastOrDefault(j => j.ActivityId == activityId && j.EventName is "Completed" or "Suspended")?.Payload?.DeepClone(),
                outputs = run.State.ActivityOutputs.GetValueOrDefault(activityId) ?? new Dictionary<string, JsonNode?>(),
                exception = incident?.Exception ?? (incident is null ? null : new ExceptionState("ActivityFault", incident.Message, null, null)),
                status,
            });
        });
    }

    /// <exception cref="JsonException">The handle names no version.</exception>
    /// <exception cref="KeyNotFoundException">No such version.</exception>
    private static async Task<Persistence.Entities.WorkflowDefinitionRecord> FindVersionAsync(JsonObject? handle, WorkflowDefinitionStore store, CancellationToken ct)
    {
        if (handle is null) throw new JsonException("'workflowDefinitionHandle' is required.");
        if ((string?)handle["definitionVersionId"] is { Length: > 0 } versionId)
            return await store.FindByIdAsync(versionId, ct) ?? throw new KeyNotFoundException($"No workflow definition version '{versionId}'.");
        if ((string?)handle["definitionId"] is { Length: > 0 } definitionId)
        {
            var options = VersionOptions.Parse((string?)handle["versionOptions"]);
            return await store.FindAsync(definitionId, options, ct) ?? throw new KeyNotFoundException($"No workflow definition '{definitionId}' ({options}).");
        }
        throw new JsonException("'workflowDefinitionHandle' needs 'definitionVersionId' or 'definitionId'.");
    }

    /// <exception cref="KeyNotFoundException">The version has no such activity.</exception>
    private static JsonObject FindActivity(JsonObject definition, string? nodeId, string? activityId)
    {
        if (string.IsNullOrEmpty(nodeId) && string.IsNullOrEmpty(activityId))
            throw new JsonException("'activityHandle' needs 'activityNodeId' or 'activityId'.");
        var activities = (definition["root"]?["activities"] as JsonArray ?? []).OfType<JsonObject>();
        // The node id is the flowchart's id path plus the activity id; its last segment is the activity id.
        var id = !string.IsNullOrEmpty(activityId) ? activityId : nodeId![(nodeId!.LastIndexOf(':') + 1)..];
        return activities.FirstOrDefault(a => (string?)a["id"] == id)
            ?? throw new KeyNotFoundException($"The workflow has no activity '{nodeId ?? activityId}'.");
    }
}
