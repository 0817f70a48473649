using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>What the Studio's instance viewer reads besides the instance and its journal: activity executions, their stats, variable values.</summary>
internal static class StudioExecutionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/activity-executions/report", async (HttpRequest request, ActivityExecutionQueries queries, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            var instanceId = (string?)body["workflowInstanceId"] ?? throw new System.Text.Json.JsonException("'workflowInstanceId' is required.");
            var stats = await queries.ReportAsync(instanceId, Strings(body["activityNodeIds"]), ct);
            return ApiJson.Json(new { stats = stats.Select(s => new
            {
                activityId = s.ActivityId, activityNodeId = s.ActivityNodeId, startedCount = s.StartedCount, completedCount = s.CompletedCount,
                uncompletedCount = s.UncompletedCount, isBlocked = s.IsBlocked, isFaulted = s.IsFaulted, metadata = new JsonObject(),
            }) });
        });

        api.MapGet("/activity-executions/list", async (string workflowInstanceId, string? activityNodeId, ActivityExecutionQueries queries, CancellationToken ct) =>
        {
            var items = await queries.ListAsync(workflowInstanceId, NodeIds(activityNodeId), ct);
            return ApiJson.Json(new { items = items.Select(Record), count = items.Count });
        });

        api.MapGet("/activity-execution-summaries/list", async (string workflowInstanceId, string? activityNodeId, ActivityExecutionQueries queries, CancellationToken ct) =>
        {
            var items = await queries.ListAsync(workflowInstanceId, NodeIds(activityNodeId), ct);
            return ApiJson.Json(new { items = items.Select(Summary), count = items.Count });
        });

        // The client asks with a query parameter, the server contract names a route segment; both find the same record.
        api.MapGet("/activity-executions/by-id", (string id, ActivityExecutionQueries queries, CancellationToken ct) => FindAsync(id, queries, ct));
        api.MapGet("/activity-executions/{id}", (string id, ActivityExecutionQueries queries, CancellationToken ct) => FindAsync(id, queries, ct));

        api.MapGet("/workflow-instances/{id}/variables", async (string id, WorkflowInstanceStore instances, WorkflowDefinitionStore definitions, CancellationToken ct) =>
        {
            var instance = await instances.FindAsync(id, ct) ?? throw new WorkflowInstanceNotFoundException(id);
            var version = await definitions.FindByIdAsync(instance.DefinitionVersionId, ct)
                ?? throw new KeyNotFoundException($"Workflow instance '{id}' runs definition version '{instance.DefinitionVersionId}', which no longer exists.");
            var state = ActivityExecutionQueries.ReadState(instance);
            var items = definitions.GetModel(version).Variables.Select(v => new
            {
                id = v.Id,
                name = v.Name,
                // A variable nothing has written yet still has its declared default.
                value = state.Variables.TryGetValue(v.Id, out var value) ? value?.DeepClone() : v.DefaultValue is null ? null : JsonValue.Create(v.DefaultValue),
            }).ToList();
            return ApiJson.Json(new { items, count = items.Count });
        });
    }

    private static async Task<IResult> FindAsync(string id, ActivityExecutionQueries queries, CancellationToken ct) =>
        await queries.FindAsync(id, ct) is { } execution ? ApiJson.Json(Record(execution)) : throw new KeyNotFoundException($"No activity execution '{id}'.");

    private static IReadOnlyCollection<string> NodeIds(string? activityNodeId) => string.IsNullOrWhiteSpace(activityNodeId) ? [] : [activityNodeId];

    private static List<string> Strings(JsonNode? node) => node is JsonArray a ? a.Select(x => (string?)x).OfType<string>().ToList() : [];

    private static object Summary(ActivityExecution e) => new
    {
        id = e.Id, workflowInstanceId = e.WorkflowInstanceId, activityId = e.ActivityId, activityNodeId = e.ActivityNodeId,
        activityType = e.ActivityType, activityTypeVersion = e.ActivityTypeVersion, activityName = e.ActivityName,
        startedAt = e.StartedAt, hasBookmarks = e.HasBookmarks, status = e.Status, completedAt = e.CompletedAt,
    };

    private static object Record(ActivityExecution e) => new
    {
        id = e.Id, workflowInstanceId = e.WorkflowInstanceId, activityId = e.ActivityId, activityNodeId = e.ActivityNodeId,
        activityType = e.ActivityType, activityTypeVersion = e.ActivityTypeVersion, activityName = e.ActivityName,
        payload = e.Payload, outputs = e.Outputs,
        exception = e.Exception ?? (e.FaultMessage is null ? null : new ExceptionState("ActivityFault", e.FaultMessage, null, null)),
        startedAt = e.StartedAt, hasBookmarks = e.HasBookmarks, status = e.Status, completedAt = e.CompletedAt,
    };
}
