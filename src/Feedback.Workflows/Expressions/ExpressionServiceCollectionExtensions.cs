using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Feedback.Workflows.Expressions;

/// <summary>Registers the expression handlers and their registry.</summary>
public static class ExpressionServiceCollectionExtensions
{
    /// <summary>
    /// Adds every built-in handler as a singleton <see cref="IExpressionHandler"/> and the <see cref="ExpressionHandlerRegistry"/>.
    /// <see cref="JavaScriptOptions"/> is an options type, so a host may also bind it from configuration. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddWorkflowExpressions(this IServiceCollection services, Action<JavaScriptOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<JavaScriptOptions>();
        if (configure is not null)
            services.Configure(configure);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, LiteralExpressionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, ObjectExpressionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, JsonExpressionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, VariableExpressionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, InputExpressionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, JavaScriptExpressionHandler>(
            sp => new JavaScriptExpressionHandler(sp.GetRequiredService<IOptions<JavaScriptOptions>>().Value)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExpressionHandler, LiquidExpressionHandler>(
            sp => new LiquidExpressionHandler(sp.GetService<TimeProvider>())));
        services.TryAddSingleton(sp => new ExpressionHandlerRegistry(sp.GetServices<IExpressionHandler>()));
        return services;
    }
}
