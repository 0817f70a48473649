using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>Elsa's workflow-definition routes: list, get, save, publish, retract, revert, delete, execute, dispatch.</summary>
internal static class DefinitionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/workflow-definitions");

        group.MapGet("", async (HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var q = request.Query;
            var (items, total) = await store.ListAsync(
                VersionOptions.ParseFilter(q["versionOptions"]), q["searchTerm"], q["definitionIds"].OfType<string>().ToList(), q["ids"].OfType<string>().ToList(),
                int.TryParse(q["page"], out var page) ? page : 0, int.TryParse(q["pageSize"], out var size) ? size : 50,
                string.Equals(q["orderBy"], "Version", StringComparison.OrdinalIgnoreCase), ct);
            return ApiJson.Json(new
            {
                items = items.Select(Summary),
                totalCount = total,
                links = new[] { Link("/elsa/api/bulk-actions/publish/workflow-definitions/by-definition-ids", "bulk-publish", "POST") },
            });
        });

        group.MapGet("/by-definition-id/{definitionId}", async (string definitionId, HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
            await store.FindAsync(definitionId, VersionOptions.Parse(request.Query["versionOptions"]), ct) is { } record
                ? ApiJson.Json(Model(record))
                : throw new KeyNotFoundException($"No workflow definition '{definitionId}' matches version option '{request.Query["versionOptions"]}'."));

        group.MapGet("/by-id/{id}", async (string id, WorkflowDefinitionStore store, CancellationToken ct) =>
            await store.FindByIdAsync(id, ct) is { } record ? ApiJson.Json(Model(record)) : throw new KeyNotFoundException($"No workflow definition version '{id}'."));

        group.MapGet("/validation/is-name-unique", async (string name, string? definitionId, WorkflowDefinitionStore store, CancellationToken ct) =>
            ApiJson.Json(new { isUnique = await store.IsNameUniqueAsync(name, definitionId, ct) }));

        group.MapPost("", async (HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadObjectAsync(request, ct);
            var model = body["model"] as JsonObject ?? throw new System.Text.Json.JsonException("The body must be {\"model\": <workflow definition>, \"publish\": true|false}.");
            var publish = body["publish"] is JsonValue p && p.TryGetValue<bool>(out var b) && b;
            var result = await store.SaveAsync(model, publish, ct);
            return ApiJson.Json(new { workflowDefinition = Model(result.Definition), alreadyPublished = result.AlreadyPublished, consumingWorkflowCount = 0 });
        });

        group.MapPost("/{definitionId}/publish", async (string definitionId, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var record = await store.PublishAsync(definitionId, ct);
            return ApiJson.Json(new { workflowDefinition = Model(record), alreadyPublished = false, consumingWorkflowCount = 0 });
        });

        group.MapPost("/{definitionId}/retract", async (string definitionId, WorkflowDefinitionStore store, CancellationToken ct) =>
            ApiJson.Json(Model(await store.RetractAsync(definitionId, ct))));

        group.MapPost("/{definitionId}/revert/{version:int}", async (string definitionId, int version, WorkflowDefinitionStore store, CancellationToken ct) =>
            ApiJson.Json(Summary(await store.RevertAsync(definitionId, version, ct))));

        group.MapDelete("/{definitionId}", async (string definitionId, WorkflowDefinitionStore store, CancellationToken ct) =>
            await store.DeleteAsync(definitionId, ct) ? Results.NoContent() : throw new KeyNotFoundException($"No workflow definition '{definitionId}'."));

        group.MapPost("/{definitionId}/execute", async (string definitionId, HttpRequest request, HttpResponse response, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            var state = await runtime.StartAsync(await StartRequestAsync(definitionId, request, ct), ct);
            response.Headers["x-elsa-workflow-instance-id"] = state.Id;
            return ApiJson.Json(new { workflowState = state });
        });

        group.MapPost("/{definitionId}/dispatch", async (string definitionId, HttpRequest request, WorkflowRuntime runtime, CancellationToken ct) =>
        {
            var state = await runtime.DispatchAsync(await StartRequestAsync(definitionId, request, ct), ct);
            return ApiJson.Json(new { workflowInstanceId = state.Id }, StatusCodes.Status202Accepted);
        });
    }

    private static async Task<StartWorkflowRequest> StartRequestAsync(string definitionId, HttpRequest request, CancellationToken ct)
    {
        var body = await ApiJson.ReadObjectAsync(request, ct);
        return new StartWorkflowRequest
        {
            DefinitionId = definitionId,
            VersionOptions = body["versionOptions"] is JsonValue v ? VersionOptions.Parse((string?)v) : VersionOptions.Published,
            CorrelationId = (string?)body["correlationId"],
            TriggerActivityId = (string?)body["triggerActivityId"],
            InstanceId = (string?)body["instanceId"],
            Input = ApiJson.ReadInput(body),
        };
    }

    /// <summary>The full model with the links the Studio needs to allow editing.</summary>
    internal static JsonObject Model(WorkflowDefinitionRecord record)
    {
        var json = WorkflowDefinitionStore.ToJson(record);
        var self = $"/elsa/api/workflow-definitions/by-id/{record.Id}";
        var baseUrl = $"/elsa/api/workflow-definitions/{record.DefinitionId}";
        json["links"] = new JsonArray(
            Link(self, "self", "GET"), Link(baseUrl + "/publish", "publish", "POST"), Link(baseUrl + "/retract", "retract", "POST"),
            Link(baseUrl, "delete", "DELETE"), Link(baseUrl + "/execute", "execute", "POST"), Link(baseUrl + "/dispatch", "dispatch", "POST"));
        return json;
    }

    internal static object Summary(WorkflowDefinitionRecord d) => new
    {
        id = d.Id, definitionId = d.DefinitionId, name = d.Name, description = d.Description, version = d.Version,
        isLatest = d.IsLatest, isPublished = d.IsPublished, createdAt = d.CreatedAt, materializerName = "Json", isMaterializerAvailable = true,
        links = new[] { Link($"/elsa/api/workflow-definitions/{d.DefinitionId}/publish", "publish", "POST") },
    };

    private static JsonObject Link(string href, string rel, string method) => new() { ["href"] = href, ["rel"] = rel, ["method"] = method };
}
