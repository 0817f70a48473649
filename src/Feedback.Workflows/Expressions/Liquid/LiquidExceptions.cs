namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>A template that cannot be parsed; the message names the line and column when the parser knows them.</summary>
internal sealed class LiquidParseException : Exception
{
    public LiquidParseException(string message) : base(message) { }

    public LiquidParseException(string message, int line, int column) : base($"{message} (line {line}, column {column})")
        => (Line, Column) = (line, column);

    public int? Line { get; }
    public int? Column { get; }
}

/// <summary>A template that parsed but failed while rendering (a limit, a bad filter argument).</summary>
internal sealed class LiquidRenderException(string message, Exception? inner = null) : Exception(message, inner);
