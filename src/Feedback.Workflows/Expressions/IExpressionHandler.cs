using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>Evaluates one expression syntax. Register implementations with DI; the runtime picks by <see cref="Type"/>.</summary>
public interface IExpressionHandler
{
    /// <summary>The syntax name stored in definitions, e.g. <c>JavaScript</c>.</summary>
    string Type { get; }

    /// <summary>How the Studio lists this syntax.</summary>
    ExpressionDescriptor Descriptor { get; }

    /// <summary>Evaluates to a CLR value, a <see cref="System.Text.Json.Nodes.JsonNode"/> or null; the runtime converts it to the input's type.</summary>
    /// <exception cref="ExpressionEvaluationException">The expression failed; the message says why.</exception>
    ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken);

    /// <summary>Checks the expression without running it (used on publish); returns the problems found.</summary>
    IReadOnlyList<string> Validate(Expression expression);
}

/// <summary>Elsa's expression descriptor shape (<c>/descriptors/expression-descriptors</c>).</summary>
public sealed record ExpressionDescriptor(
    string Type,
    string DisplayName,
    bool IsSerializable,
    bool IsBrowsable,
    IReadOnlyDictionary<string, object> Properties);

/// <summary>An expression failed to evaluate; carries the cause without the workflow context (the runtime adds it).</summary>
public sealed class ExpressionEvaluationException(string message, Exception? inner = null) : Exception(message, inner);
