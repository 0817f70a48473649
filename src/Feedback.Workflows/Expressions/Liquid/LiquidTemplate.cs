using System.Text;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>A parsed template: immutable, so one instance may be rendered by many threads at once.</summary>
internal sealed class LiquidTemplate
{
    private readonly IReadOnlyList<LiquidStatement> _statements;

    private LiquidTemplate(IReadOnlyList<LiquidStatement> statements) => _statements = statements;

    /// <exception cref="LiquidParseException">The template is not valid Liquid; the message gives line and column.</exception>
    public static LiquidTemplate Parse(string source) => new(LiquidParser.Parse(source));

    /// <exception cref="LiquidRenderException">A limit was exceeded or a filter failed.</exception>
    public string Render(ILiquidObject model, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var context = new LiquidRenderContext(model, now, cancellationToken);
        // break/continue outside a loop simply end the template, as in Liquid.
        LiquidStatement.RenderAll(_statements, context, output);
        return output.ToString();
    }
}
