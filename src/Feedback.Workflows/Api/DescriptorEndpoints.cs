using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>The catalogues the Studio loads: activities, expression syntaxes, variable types, strategies, features.</summary>
internal static class DescriptorEndpoints
{
    private static readonly string[] VariableTypes = ["Object", "String", "Boolean", "Int32", "Int64", "Double", "Decimal", "Guid", "DateTime", "DateTimeOffset", "TimeSpan", "JsonObject", "JsonArray", "StringDictionary", "ObjectDictionary"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/descriptors/activities", (ActivityRegistry registry) =>
            ApiJson.Json(new { items = registry.Descriptors, count = registry.Descriptors.Count }));

        // Options of a dropdown-like input. Every list here is fixed in its descriptor, so this answers the same lists
        // the descriptor carries; no input is marked for refreshing, so the Studio has no reason to ask, yet may.
        api.MapPost("/descriptors/activities/{activityTypeName}/options/{propertyName}", (string activityTypeName, string propertyName, int? version, ActivityRegistry registry) =>
        {
            var descriptor = registry.Descriptors.FirstOrDefault(d => d.TypeName == activityTypeName && (version is null || d.Version == version))
                ?? throw new KeyNotFoundException($"No activity type '{activityTypeName}'{(version is null ? "" : $" version {version}")}.");
            var input = descriptor.Inputs.FirstOrDefault(i => string.Equals(i.Name, propertyName, StringComparison.OrdinalIgnoreCase))
                ?? throw new KeyNotFoundException($"Activity '{activityTypeName}' has no input '{propertyName}'.");
            return ApiJson.Json(new { items = input.UiSpecifications ?? new Dictionary<string, object?>() });
        });

        api.MapGet("/descriptors/expression-descriptors", (IEnumerable<IExpressionHandler> handlers) =>
        {
            var items = handlers.Select(h => h.Descriptor).ToList();
            return ApiJson.Json(new { items, count = items.Count });
        });

        api.MapGet("/descriptors/variables", () => ApiJson.Json(new
        {
            items = VariableTypes.Select(t => new { typeName = t, displayName = t, category = t.StartsWith("Json") || t.EndsWith("Dictionary") ? "Dynamic" : "Primitives", description = (string?)null }),
        }));

        api.MapGet("/descriptors/storage-drivers", () => ApiJson.Json(new
        {
            items = new[] { new { typeName = "Elsa.Workflows.WorkflowInstanceStorageDriver, Elsa.Workflows.Core", displayName = "Workflow Instance", priority = 5, deprecated = false } },
        }));

        api.MapGet("/descriptors/workflow-activation-strategies", () => List(
            ("Elsa.Workflows.ActivationValidators.AllowAlwaysStrategy, Elsa.Workflows.Core", "Always", "Always allow new instances.")));

        api.MapGet("/descriptors/incident-strategies", () => List(
            ("FaultStrategy", "Fault", "An activity fault faults the whole instance."),
            ("ContinueWithIncidentsStrategy", "Continue with incidents", "Other branches go on; the instance cannot finish until the incident is retried.")));

        api.MapGet("/descriptors/log-persistence-strategies", () => List(
            ("Elsa.Workflows.LogPersistence.Strategies.Include, Elsa.Workflows.Core", "Include", "Journal entries are stored.")));

        var commitStrategies = new { items = new[] { new { name = "WorkflowExecuted", displayName = "Workflow executed", description = "One commit per burst: state, bookmarks, journal and outbox together." } }, count = 1 };
        api.MapGet("/descriptors/commit-strategies/workflows", () => ApiJson.Json(commitStrategies));
        api.MapGet("/descriptors/commit-strategies/activities", () => ApiJson.Json(commitStrategies));

        api.MapGet("/features/installed", () => ApiJson.Json(new { items = Array.Empty<object>(), count = 0 }));
    }

    private static Microsoft.AspNetCore.Http.IResult List(params (string TypeName, string DisplayName, string Description)[] items) =>
        ApiJson.Json(new { items = items.Select(i => new { typeName = i.TypeName, displayName = i.DisplayName, description = i.Description }), count = items.Length });
}
