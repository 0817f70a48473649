using Feedback.Workflows.Expressions.Liquid;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>
/// The <c>Liquid</c> syntax: renders the template against the workflow (<c>Variables</c>, <c>Input</c>, <c>CorrelationId</c>...)
/// with no HTML encoding, as Elsa does. JSON values are navigable (<c>{{ Variables.Customer.name }}</c>, loops over arrays).
/// </summary>
public sealed class LiquidExpressionHandler : IExpressionHandler
{
    private readonly BoundedCache<string, LiquidTemplate> _templates;
    private readonly TimeProvider _time;

    /// <summary>A handler reading <c>'now'</c> from <paramref name="timeProvider"/> (the system clock by default).</summary>
    public LiquidExpressionHandler(TimeProvider? timeProvider = null, int templateCacheSize = 1024)
    {
        _time = timeProvider ?? TimeProvider.System;
        _templates = new BoundedCache<string, LiquidTemplate>(templateCacheSize, StringComparer.Ordinal);
    }

    public string Type => Expression.Types.Liquid;

    public ExpressionDescriptor Descriptor { get; } =
        ExpressionDescriptors.Create(Expression.Types.Liquid, "Liquid", isBrowsable: true, monacoLanguage: "liquid");

    /// <summary>The rendered text (a string); null when the expression holds no template.</summary>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(context);
        return EvaluationResult.From(() => Render(expression.ValueAsText, context.Scope, cancellationToken), cancellationToken);
    }

    /// <summary>Parses the template; a syntax error is reported with its line and column.</summary>
    public IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var source = expression.ValueAsText;
        if (source is null)
            return [];
        try
        {
            Parse(source);
            return [];
        }
        catch (ExpressionEvaluationException ex)
        {
            return [ex.Message];
        }
    }

    private string? Render(string? source, IExpressionScope scope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (source is null)
            return null;

        var template = Parse(source);
        try
        {
            return template.Render(new WorkflowLiquidModel(scope), _time.GetUtcNow(), cancellationToken);
        }
        catch (LiquidRenderException ex)
        {
            throw new ExpressionEvaluationException($"Liquid template failed: {ex.Message}", ex);
        }
        catch (KeyNotFoundException ex)
        {
            // The scope declared a variable it then could not read.
            throw new ExpressionEvaluationException($"Liquid template failed: {ex.Message}", ex);
        }
    }

    private LiquidTemplate Parse(string source)
    {
        try
        {
            return _templates.GetOrAdd(source, LiquidTemplate.Parse);
        }
        catch (LiquidParseException ex)
        {
            throw new ExpressionEvaluationException($"Liquid syntax error: {ex.Message}", ex);
        }
    }
}
