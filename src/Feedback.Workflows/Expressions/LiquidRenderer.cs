using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions.Liquid;

namespace Feedback.Workflows.Expressions;

/// <summary>Renders Liquid templates outside workflow expressions (mail and page templates) against a JSON model.</summary>
public static class LiquidRenderer
{
    private static readonly BoundedCache<string, LiquidTemplate> Templates = new(512);

    /// <summary>Renders <paramref name="template"/>; top-level members of <paramref name="model"/> are the template's names.</summary>
    /// <param name="timeZone">The reader's time zone, in which the <c>date</c> filter shows times; null shows them in UTC.</param>
    /// <exception cref="ExpressionEvaluationException">The template does not parse, or rendering failed; the message says where.</exception>
    public static string Render(string template, JsonObject model, DateTimeOffset now, CancellationToken cancellationToken = default, TimeZoneInfo? timeZone = null)
    {
        try
        {
            var parsed = Templates.GetOrAdd(template, LiquidTemplate.Parse);
            return parsed.Render(new JsonObjectValue(model), now, cancellationToken, timeZone);
        }
        catch (Exception e) when (e is LiquidParseException or LiquidRenderException)
        {
            throw new ExpressionEvaluationException(e.Message, e);
        }
    }

    /// <summary>Parse problems of a template, with line and column; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(string template)
    {
        try
        {
            LiquidTemplate.Parse(template);
            return [];
        }
        catch (LiquidParseException e)
        {
            return [e.Message];
        }
    }
}
