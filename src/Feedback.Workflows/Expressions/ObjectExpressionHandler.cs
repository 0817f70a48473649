using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>The <c>Object</c> syntax: JSON text stored in a string, evaluated to the parsed <see cref="JsonNode"/>.</summary>
public sealed class ObjectExpressionHandler : IExpressionHandler
{
    public string Type => Expression.Types.Object;

    public ExpressionDescriptor Descriptor { get; } =
        ExpressionDescriptors.Create(Expression.Types.Object, "Object", isBrowsable: false, monacoLanguage: "json");

    /// <summary>The parsed JSON (a detached node), null for a blank string.</summary>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return EvaluationResult.From(() => JsonTextExpression.Evaluate(expression), cancellationToken);
    }

    public IReadOnlyList<string> Validate(Expression expression) => JsonTextExpression.Validate(expression);
}

/// <summary>The obsolete <c>Json</c> syntax, which older definitions still carry; it behaves exactly like <c>Object</c>.</summary>
public sealed class JsonExpressionHandler : IExpressionHandler
{
    public string Type => Expression.Types.Json;

    public ExpressionDescriptor Descriptor { get; } =
        ExpressionDescriptors.Create(Expression.Types.Json, "Json", isBrowsable: false, monacoLanguage: "json");

    /// <summary>The parsed JSON (a detached node), null for a blank string.</summary>
    public ValueTask<object?> EvaluateAsync(Expression expression, ExpressionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return EvaluationResult.From(() => JsonTextExpression.Evaluate(expression), cancellationToken);
    }

    public IReadOnlyList<string> Validate(Expression expression) => JsonTextExpression.Validate(expression);
}

/// <summary>Shared parsing for the <c>Object</c> and <c>Json</c> syntaxes.</summary>
internal static class JsonTextExpression
{
    // Lenient on comments and trailing commas: people hand-edit these in the designer, and accepting more than Elsa
    // does cannot break a definition Elsa accepted.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 256,
    };

    public static JsonNode? Evaluate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return expression.Value switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var text) => Parse(text, expression.Type),
            // Already structured JSON (hand-written definitions do this): nothing to parse.
            var node => node.DeepClone(),
        };
    }

    public static IReadOnlyList<string> Validate(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        try
        {
            Evaluate(expression);
            return [];
        }
        catch (ExpressionEvaluationException ex)
        {
            return [ex.Message];
        }
    }

    private static JsonNode? Parse(string text, string syntax)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;

        try
        {
            return JsonNode.Parse(text, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            throw new ExpressionEvaluationException(
                $"The {syntax} expression is not valid JSON (line {line}, position {position}): {FirstSentence(ex.Message)}", ex);
        }
    }

    // System.Text.Json appends "Path: ... | LineNumber: ..." which repeats the position we already give.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
