namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>A template that cannot be parsed; the message names the line and column.</summary>
internal sealed class LiquidParseException(string message, int line, int column)
    : Exception($"{message} (line {line}, column {column})")
{
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>A template that parsed but failed while rendering (a limit, a bad filter argument).</summary>
internal sealed class LiquidRenderException(string message, Exception? inner = null) : Exception(message, inner);
