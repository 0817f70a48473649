using System.Diagnostics.CodeAnalysis;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>The expression handlers by syntax name (case-insensitive): where the runtime evaluates and validates expressions.</summary>
public sealed class ExpressionHandlerRegistry
{
    private readonly Dictionary<string, IExpressionHandler> _handlers = new(StringComparer.OrdinalIgnoreCase);

    /// <exception cref="ArgumentException">Two handlers claim the same syntax name.</exception>
    public ExpressionHandlerRegistry(IEnumerable<IExpressionHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        var descriptors = new List<ExpressionDescriptor>();
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Type, handler))
            {
                throw new ArgumentException(
                    $"Two expression handlers claim the syntax '{handler.Type}': {_handlers[handler.Type].GetType().Name} and {handler.GetType().Name}.",
                    nameof(handlers));
            }

            descriptors.Add(handler.Descriptor);
        }

        Descriptors = descriptors;
    }

    /// <summary>The descriptors Studio lists (<c>/descriptors/expression-descriptors</c>), in registration order.</summary>
    public IReadOnlyList<ExpressionDescriptor> Descriptors { get; }

    /// <summary>The syntax names handled.</summary>
    public IEnumerable<string> Types => _handlers.Keys;

    /// <summary>A registry with every built-in syntax, for use without dependency injection.</summary>
    public static ExpressionHandlerRegistry CreateDefault(JavaScriptOptions? javaScript = null, TimeProvider? timeProvider = null) =>
        new(CreateDefaultHandlers(javaScript ?? new JavaScriptOptions(), timeProvider));

    public bool TryGet(string type, [NotNullWhen(true)] out IExpressionHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _handlers.TryGetValue(type, out handler);
    }

    /// <exception cref="ExpressionEvaluationException">No handler is registered for <paramref name="type"/>.</exception>
    public IExpressionHandler Get(string type) =>
        TryGet(type, out var handler) ? handler : throw new ExpressionEvaluationException(UnknownSyntax(type));

    /// <summary>Evaluates with the handler for the expression's syntax; see that handler for what it returns.</summary>
    /// <exception cref="ExpressionEvaluationException">The syntax is unknown or the expression failed.</exception>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return Get(expression.Type).EvaluateAsync(expression, context, cancellationToken);
    }

    /// <summary>The problems found in the expression, including an unknown syntax; empty when it is fine.</summary>
    public IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryGet(expression.Type, out var handler) ? handler.Validate(expression) : [UnknownSyntax(expression.Type)];
    }

    internal static IEnumerable<IExpressionHandler> CreateDefaultHandlers(JavaScriptOptions javaScript, TimeProvider? timeProvider) =>
    [
        new LiteralExpressionHandler(),
        new ObjectExpressionHandler(),
        new JsonExpressionHandler(),
        new VariableExpressionHandler(),
        new InputExpressionHandler(),
        new JavaScriptExpressionHandler(javaScript),
        new LiquidExpressionHandler(timeProvider),
    ];

    private string UnknownSyntax(string type) =>
        $"No expression handler for syntax '{type}'. Known: {string.Join(", ", _handlers.Keys.Order(StringComparer.OrdinalIgnoreCase))}.";
}
