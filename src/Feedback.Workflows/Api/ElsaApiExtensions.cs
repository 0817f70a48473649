using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Api;

/// <summary>Maps the Elsa 3 compatible REST API.</summary>
public static class ElsaApiExtensions
{
    /// <summary>Registers what the API needs (error mapping, credentials).</summary>
    public static IServiceCollection AddElsaApi(this IServiceCollection services, ElsaApiOptions options)
    {
        services.AddSingleton(options);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        StudioApi.AddServices(services);
        return services;
    }

    /// <summary>Maps every route under <c>/elsa/api</c>, all behind the API-key check.</summary>
    public static RouteGroupBuilder MapElsaApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/elsa/api");
        api.AddEndpointFilter<ApiKeyFilter>();
        DescriptorEndpoints.Map(api);
        DefinitionEndpoints.Map(api);
        InstanceEndpoints.Map(api);
        StudioApi.Map(api);
        return api;
    }
}
