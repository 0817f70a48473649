using Feedback.Workflows.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>Code-editor support: the TypeScript declarations Monaco loads when an input is switched to JavaScript.</summary>
internal static class StudioScriptingEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/scripting/javascript/type-definitions/{definitionId}", async (string definitionId, HttpRequest request, WorkflowDefinitionStore store, CancellationToken ct) =>
        {
            // The body names the activity and property being edited; the declarations are the same for every input of a workflow.
            await ApiJson.ReadObjectAsync(request, ct);
            var record = await store.FindAsync(definitionId, VersionOptions.Latest, ct);
            // An unsaved new workflow has no stored version yet; its scripts still see every global, just no variables.
            var declarations = JavaScriptTypeDefinitions.For(record is null ? null : WorkflowDefinitionStore.ToJson(record));
            return Results.Text(declarations, "application/x-typescript; charset=utf-8");
        });
    }
}
