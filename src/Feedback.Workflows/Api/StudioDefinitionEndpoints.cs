using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>The Studio's definition actions beyond save/publish: bulk publish, retract and delete, version delete, export and import.</summary>
internal static class StudioDefinitionEndpoints
{
    private const string SchemaUrl = "https://elsaworkflows.io/schemas/workflow-definition/v3.0.0/schema.json";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/bulk-actions/publish/workflow-definitions/by-definition-ids", async (HttpRequest request, WorkflowDefinitionStore store, WorkflowDefinitionReader reader, CancellationToken ct) =>
        {
            var ids = await ReadIdsAsync(request, "definitionIds", ct);
            var latest = new Dictionary<string, Persistence.Entities.WorkflowDefinitionRecord>();
            foreach (var id in ids)
                if (await store.FindAsync(id, VersionOptions.Latest, ct) is { } record) latest[id] = record;
            // All or nothing: one invalid draft fails the request before anything is published.
            var errors = latest.Values.Where(r => !r.IsPublished).SelectMany(r => Validate(reader, r)).ToList();
            if (errors.Count > 0) throw new WorkflowDefinitionException(errors);
            var published = new List<string>();
            foreach (var record in latest.Values.Where(r => !r.IsPublished))
            {
                await store.PublishAsync(record.DefinitionId, ct);
                published.Add(record.DefinitionId);
            }
            return ApiJson.Json(new
            {
                published,
                alreadyPublished = latest.Values.Where(r => r.IsPublished).Select(r => r.DefinitionId),
                notFound = ids.Where(id => !latest.ContainsKey(id)),
            });
        });

        api.MapPost("/bulk-actions/retract/workflow-definitions/by-definition-ids", async (HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var ids = await ReadIdsAsync(request, "definitionIds", ct);
            List<string> retracted = [], alreadyRetracted = [], notFound = [];
            foreach (var id in ids)
            {
                if (await store.FindAsync(id, VersionOptions.LatestOrPublished, ct) is null) notFound.Add(id);
                else if (await store.FindAsync(id, VersionOptions.Published, ct) is null) alreadyRetracted.Add(id);
                else
                {
                    await store.RetractAsync(id, ct);
                    retracted.Add(id);
                }
            }
            return ApiJson.Json(new { retracted, alreadyRetracted, notFound });
        });

        // Elsa's client posts to the singular route; the plural one matches the publish and retract routes.
        foreach (var route in new[] { "/bulk-actions/delete/workflow-definitions/by-definition-id", "/bulk-actions/delete/workflow-definitions/by-definition-ids" })
            api.MapPost(route, async (HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
            {
                var ids = await ReadIdsAsync(request, "definitionIds", ct);
                // Refused as a whole, as the bulk delete of instances is: a refused batch deletes nothing.
                var inUse = new List<string>();
                var needing = 0;
                foreach (var id in ids)
                {
                    var count = await store.CountInstancesNeedingAsync(id, ct);
                    if (count == 0) continue;
                    inUse.Add($"{id} ({count})");
                    needing += count;
                }
                if (inUse.Count > 0)
                    throw new WorkflowDefinitionInUseException($"Not deleted: these definitions have unfinished or faulted instances (how many in brackets); "
                        + $"cancel them or let them finish first: {string.Join(", ", inUse)}.", needing);
                var deleted = 0;
                foreach (var id in ids)
                    if (await store.DeleteAsync(id, ct)) deleted++;
                return ApiJson.Json(new { deleted });
            });

        // Refused as a whole too: a batch naming one version that may not go deletes none.
        api.MapPost("/bulk-actions/delete/workflow-definitions/by-id", async (HttpRequest request, DefinitionVersionRemover remover, CancellationToken ct) =>
            ApiJson.Json(new { deleted = await remover.DeleteManyAsync(await ReadIdsAsync(request, "ids", ct), ct) }));

        api.MapDelete("/workflow-definition-versions/{id}", async (string id, DefinitionVersionRemover remover, CancellationToken ct) =>
            await remover.DeleteAsync(id, ct) ? Results.NoContent() : throw new KeyNotFoundException($"No workflow definition version '{id}'."));

        api.MapGet("/workflow-definitions/{definitionId}/export", async (string definitionId, string? versionOptions, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var options = string.IsNullOrWhiteSpace(versionOptions) ? VersionOptions.Latest : VersionOptions.Parse(versionOptions);
            var record = await store.FindAsync(definitionId, options, ct)
                ?? throw new KeyNotFoundException($"No workflow definition '{definitionId}' matches version option '{versionOptions}'.");
            var bytes = Encoding.UTF8.GetBytes(ExportJson(record).ToJsonString(Indented));
            return Results.File(bytes, "application/json", FileName(record.Name, record.DefinitionId));
        });

        api.MapPost("/workflow-definitions/import", async (HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            var model = await ApiJson.ReadObjectAsync(request, ct);
            var saved = await store.SaveAsync(ForImport(model), publish: false, ct);
            return ApiJson.Json(DefinitionEndpoints.Model(saved.Definition));
        });

        api.MapPost("/workflow-definitions/import-files", async (HttpRequest request, WorkflowDefinitionStore store, WorkflowDefinitionReader reader, CancellationToken ct) =>
        {
            if (!request.HasFormContentType) throw new BadHttpRequestException("Send the definitions as multipart/form-data in a field named 'files' (.json files or .zip archives of them).");
            var form = await request.ReadFormAsync(ct);
            var models = new List<JsonObject>();
            foreach (var file in form.Files)
                await foreach (var model in ReadModelsAsync(file, ct)) models.Add(model);
            // Validate every file first, so that a bad file in the batch imports nothing.
            var errors = models.SelectMany(m => Validate(reader, ForImport(m))).ToList();
            if (errors.Count > 0) throw new WorkflowDefinitionException(errors);
            foreach (var model in models) await store.SaveAsync(ForImport(model), publish: false, ct);
            return ApiJson.Json(new { count = models.Count });
        });
    }

    private static readonly JsonSerializerOptions Indented = new(ElsaJson.Options) { WriteIndented = true };

    /// <summary>The definition as a file: the model with its schema marker, without the server's links.</summary>
    internal static JsonObject ExportJson(Persistence.Entities.WorkflowDefinitionRecord record)
    {
        var json = WorkflowDefinitionStore.ToJson(record);
        var export = new JsonObject { ["$schema"] = SchemaUrl };
        foreach (var (key, value) in json) export[key] = value?.DeepClone();
        return export;
    }

    /// <summary>An exported file becomes a new draft of the definition it names (or a new definition): publishing stays a deliberate act.</summary>
    private static JsonObject ForImport(JsonObject model)
    {
        var copy = (JsonObject)model.DeepClone();
        copy.Remove("$schema");
        return copy;
    }

    private static IEnumerable<string> Validate(WorkflowDefinitionReader reader, Persistence.Entities.WorkflowDefinitionRecord record) =>
        Validate(reader, WorkflowDefinitionReader.ParseDefinitionText(record.Json), record.Name ?? record.DefinitionId);

    private static IEnumerable<string> Validate(WorkflowDefinitionReader reader, JsonObject model) =>
        Validate(reader, model, (string?)model["name"] ?? (string?)model["definitionId"] ?? "(unnamed)");

    private static IEnumerable<string> Validate(WorkflowDefinitionReader reader, JsonObject model, string label)
    {
        try
        {
            // Ids and version do not affect validity; the reader only needs something to name the model by.
            reader.Read(model, "validation", "validation", 1);
            return [];
        }
        catch (WorkflowDefinitionException e)
        {
            return e.Errors.Select(error => $"'{label}': {error}");
        }
    }

    private static async IAsyncEnumerable<JsonObject> ReadModelsAsync(IFormFile file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = file.OpenReadStream();
        if (file.FileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            {
                await using var entryStream = entry.Open();
                yield return await ParseAsync(entryStream, $"{file.FileName}/{entry.FullName}", ct);
            }
        }
        else yield return await ParseAsync(stream, file.FileName, ct);
    }

    private static async Task<JsonObject> ParseAsync(Stream stream, string name, CancellationToken ct)
    {
        try
        {
            return ApiJson.ParseObject(await ApiJson.ReadCappedAsync(stream, null, ct), "The file");
        }
        catch (JsonException e)
        {
            throw new JsonException($"{name}: {e.Message}", e);
        }
    }

    private static async Task<List<string>> ReadIdsAsync(HttpRequest request, string property, CancellationToken ct)
    {
        var body = await ApiJson.ReadObjectAsync(request, ct);
        return body[property] is JsonArray ids
            ? ids.Select(x => (string?)x).OfType<string>().Distinct().ToList()
            : throw new JsonException($"'{property}' must be an array of ids.");
    }

    private static string FileName(string? name, string definitionId)
    {
        var safe = new string((name ?? "").Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray()).Trim('-');
        return (safe.Length == 0 ? definitionId : safe) + ".json";
    }
}
