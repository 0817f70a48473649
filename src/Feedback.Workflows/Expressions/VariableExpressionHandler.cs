using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>The <c>Variable</c> syntax: the current value of the variable the expression names (by id, then by name).</summary>
public sealed class VariableExpressionHandler : IExpressionHandler
{
    public string Type => Expression.Types.Variable;

    public ExpressionDescriptor Descriptor { get; } = ExpressionDescriptors.Create(Expression.Types.Variable, "Variable", isBrowsable: true);

    /// <summary>A detached copy of the variable's JSON value (or null).</summary>
    /// <exception cref="ExpressionEvaluationException">The expression names no variable, or one the workflow does not declare.</exception>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(context);

        return EvaluationResult.From(() => Read(expression, context.Scope), cancellationToken);
    }

    private static object? Read(Expression expression, IExpressionScope scope)
    {
        var reference = ExpressionReference.Read(expression.Value)
            ?? throw new ExpressionEvaluationException("The Variable expression does not name a variable (expected {\"id\", \"name\"} or a name).");

        foreach (var candidate in reference.Candidates())
        {
            try
            {
                // A copy: the scope owns the stored node, and callers attach or mutate what they get back.
                return scope.GetVariable(candidate)?.DeepClone();
            }
            catch (KeyNotFoundException)
            {
                // The id may belong to a definition edited since; Elsa falls back to the name, so do we.
            }
        }

        throw new ExpressionEvaluationException($"Variable {reference.Describe()} is not declared in this workflow.");
    }

    public IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return ExpressionReference.Read(expression.Value) is null
            ? ["The Variable expression does not name a variable (expected {\"id\", \"name\"} or a name)."]
            : [];
    }
}
