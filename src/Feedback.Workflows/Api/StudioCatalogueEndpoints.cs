using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Feedback.Workflows.Api;

/// <summary>Catalogue reads the Studio makes outside the descriptor set: output converters and the server version.</summary>
internal static class StudioCatalogueEndpoints
{
    private static readonly string Version =
        typeof(StudioCatalogueEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StudioCatalogueEndpoints).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static void Map(RouteGroupBuilder api)
    {
        // Outputs reach variables and inputs through the runtime's own value conversion (ValueConverter), which
        // needs no per-mapping configuration; so there are no selectable converters to offer.
        api.MapGet("/descriptors/output-converters", () =>
            ApiJson.Json(new { items = Array.Empty<object>(), count = 0 }));

        api.MapGet("/package/version", () => ApiJson.Json(new { packageVersion = Version }));
    }
}
