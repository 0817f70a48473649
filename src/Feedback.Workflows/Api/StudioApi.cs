using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Api;

/// <summary>The endpoints the Studio's menus, version history, code editor and instance viewer call beyond the core API.</summary>
internal static class StudioApi
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<ActivityExecutionQueries>();
        services.AddSingleton<DefinitionVersionRemover>();
    }

    public static void Map(RouteGroupBuilder api)
    {
        StudioCatalogueEndpoints.Map(api);
        StudioDefinitionEndpoints.Map(api);
        StudioExecutionEndpoints.Map(api);
        StudioScriptingEndpoints.Map(api);
        InstanceOperationEndpoints.Map(api);
        ActivityTestEndpoints.Map(api);
    }
}
