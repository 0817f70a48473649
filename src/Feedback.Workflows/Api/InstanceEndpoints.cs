using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>Instance routes (list, get, journal, cancel, retry) and the stimuli that move instances (bookmarks, events, tasks).</summary>
internal static class InstanceEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/workflow-instances", async (HttpRequest request, WorkflowInstanceStore store, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            var filter = new InstanceFilter
            {
                Page = (int?)body["page"] ?? 0,
                PageSize = (int?)body["pageSize"] ?? 50,
                SearchTerm = (string?)body["searchTerm"],
                DefinitionId = (string?)body["definitionId"],
                DefinitionIds = Strings(body["definitionIds"]),
                CorrelationId = (string?)body["correlationId"],
                // The Studio sends both forms: one status, or a list (its status filter), as it does for sub-statuses.
                Statuses = Strings(body["statuses"]) is { Count: > 0 } statuses ? statuses : (string?)body["status"] is { } status ? [status] : null,
                SubStatuses = Strings(body["subStatuses"]) is { Count: > 0 } subs ? subs : (string?)body["subStatus"] is { } one ? [one] : null,
                HasIncidents = (bool?)body["hasIncidents"],
                Descending = !string.Equals((string?)body["orderDirection"], "Ascending", StringComparison.OrdinalIgnoreCase),
            };
            var (items, total) = await store.ListAsync(filter, ct);
            return ApiJson.Json(new { items = items.Select(Summary), totalCount = total });
        });

        api.MapGet("/workflow-instances/{id}", async (string id, WorkflowInstanceStore store, CancellationToken ct) =>
        {
            var record = await store.FindAsync(id, ct) ?? throw new WorkflowInstanceNotFoundException(id);
            var json = JsonSerializerHelper.ToNode(Summary(record))!.AsObject();
            json["workflowState"] = JsonNode.Parse(record.State);
            return ApiJson.Json(json);
        });

        api.MapGet("/workflow-instances/{id}/execution-state", async (string id, WorkflowInstanceStore store, CancellationToken ct) =>
        {
            var record = await store.FindAsync(id, ct) ?? throw new WorkflowInstanceNotFoundException(id);
            return ApiJson.Json(new { status = record.Status, workflowSubStatus = record.SubStatus, updatedAt = record.UpdatedAt });
        });

        api.MapMethods("/workflow-instances/{id}/journal", ["GET", "POST"], async (string id, int? skip, int? take, WorkflowInstanceStore store, CancellationToken ct) =>
        {
            var (items, total) = await store.JournalAsync(id, skip ?? 0, take ?? 100, ct);
            return ApiJson.Json(new { items = items.Select(Journal), totalCount = total });
        });

        api.MapPost("/cancel/workflow-instances/{id}", async (string id, WorkflowRuntime runtime, CancellationToken ct) =>
            ApiJson.Json(new { workflowState = await runtime.CancelAsync(id, ct) }));

        api.MapPost("/workflow-instances/{id}/retry", async (string id, WorkflowRuntime runtime, CancellationToken ct) =>
            ApiJson.Json(new { workflowState = await runtime.RetryAsync(id, ct) }));

        api.MapPost("/bookmarks/{bookmarkId}/resume", async (string bookmarkId, HttpRequest request, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            return ApiJson.Json(new { workflowState = await runtime.ResumeAsync(bookmarkId, ApiJson.ReadInput(body), ct) });
        });

        api.MapPost("/events/{eventName}/trigger", async (string eventName, HttpRequest request, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            var result = await runtime.TriggerEventAsync(eventName, (string?)body["correlationId"], (string?)body["workflowInstanceId"],
                body["input"]?.DeepClone(), (string?)body["idempotencyKey"], raisedAt: null, ct);
            return ApiJson.Json(new { resumedInstanceIds = result.ResumedInstanceIds, startedInstanceIds = result.StartedInstanceIds });
        });

        api.MapPost("/tasks/{taskId}/complete", async (string taskId, HttpRequest request, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            return ApiJson.Json(new { workflowState = await runtime.CompleteTaskAsync(taskId, body["result"]?.DeepClone(), ct) });
        });
    }

    private static List<string>? Strings(JsonNode? node) => node is JsonArray a ? a.Select(x => (string?)x).OfType<string>().ToList() : null;

    internal static object Summary(WorkflowInstanceRecord i) => new
    {
        id = i.Id, definitionId = i.DefinitionId, definitionVersionId = i.DefinitionVersionId, version = i.Version,
        status = i.Status, subStatus = i.SubStatus, correlationId = i.CorrelationId, name = i.Name, incidentCount = i.IncidentCount,
        createdAt = i.CreatedAt, updatedAt = i.UpdatedAt, finishedAt = i.FinishedAt,
    };

    private static object Journal(JournalRecord j) => new
    {
        id = j.Id, activityInstanceId = j.ActivityInstanceId, activityId = j.ActivityId, activityType = j.ActivityType,
        activityTypeVersion = j.ActivityTypeVersion, activityName = j.ActivityName, nodeId = j.NodeId, timestamp = j.Timestamp,
        sequence = j.Sequence, eventName = j.EventName, message = j.Message, source = (string?)null,
        payload = j.Payload is null ? null : JsonNode.Parse(j.Payload),
    };
}

internal static class JsonSerializerHelper
{
    public static JsonNode? ToNode(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value, Serialization.ElsaJson.Options);
}
