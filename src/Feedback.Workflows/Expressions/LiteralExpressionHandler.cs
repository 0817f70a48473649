using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>The <c>Literal</c> syntax: the stored JSON value itself; the runtime converts it to the input's type.</summary>
public sealed class LiteralExpressionHandler : IExpressionHandler
{
    public string Type => Expression.Types.Literal;

    public ExpressionDescriptor Descriptor { get; } = ExpressionDescriptors.Create(Expression.Types.Literal, "Literal", isBrowsable: false);

    /// <summary>Returns a detached copy of the stored <see cref="System.Text.Json.Nodes.JsonNode"/> (or null).</summary>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        // A copy, so that whatever the caller attaches or mutates never changes the definition.
        return ValueTask.FromResult<object?>(expression.Value?.DeepClone());
    }

    public IReadOnlyList<string> Validate(Expression expression) => [];
}
