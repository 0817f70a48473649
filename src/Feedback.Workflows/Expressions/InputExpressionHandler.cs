using System.Text.Json.Nodes;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>The <c>Input</c> syntax: the workflow input the expression names; null when the workflow was not given it.</summary>
public sealed class InputExpressionHandler : IExpressionHandler
{
    public string Type => Expression.Types.Input;

    public ExpressionDescriptor Descriptor { get; } = ExpressionDescriptors.Create(Expression.Types.Input, "Input", isBrowsable: true);

    /// <summary>A detached copy of the input's JSON value, or null when absent.</summary>
    /// <exception cref="ExpressionEvaluationException">The expression names no input.</exception>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(context);

        return EvaluationResult.From(() =>
        {
            var name = NameOf(expression)
                ?? throw new ExpressionEvaluationException("The Input expression does not name an input (expected {\"name\"} or a name).");
            return JsonMembers.Find(context.Scope.WorkflowInput, name)?.DeepClone();
        }, cancellationToken);
    }

    public IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return NameOf(expression) is null ? ["The Input expression does not name an input (expected {\"name\"} or a name)."] : [];
    }

    // An InputDefinition's identity is its name; the id some clients add is not used by Elsa either.
    private static string? NameOf(Expression expression) =>
        ExpressionReference.Read(expression.Value) is { } reference ? reference.Name ?? reference.Id : null;
}
