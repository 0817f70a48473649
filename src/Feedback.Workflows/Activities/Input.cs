using Feedback.Workflows.Model;

namespace Feedback.Workflows.Activities;

/// <summary>Non-generic view of an <see cref="Input{T}"/>, used by the runtime.</summary>
public abstract class Input
{
    protected Input(Expression expression) => Expression = expression;

    /// <summary>What the designer stored for this input.</summary>
    public Expression Expression { get; }

    /// <summary>The CLR type the expression's result is converted to.</summary>
    public abstract Type ValueType { get; }
}

/// <summary>A wrapped activity input: an expression evaluated to <typeparamref name="T"/> before the activity runs.</summary>
public sealed class Input<T> : Input
{
    public Input(Expression expression) : base(expression) { }

    /// <summary>A literal input, as code-built workflows and tests write it.</summary>
    public Input(T literal) : base(Expression.Literal(literal is null ? null : System.Text.Json.JsonSerializer.SerializeToNode(literal, Serialization.ElsaJson.Options))) { }

    public override Type ValueType => typeof(T);
}

/// <summary>Non-generic view of an <see cref="Output{T}"/>.</summary>
public abstract class Output
{
    /// <summary>The id of the variable the value is also written to, if the designer bound one.</summary>
    public string? VariableId { get; internal set; }

    public abstract Type ValueType { get; }

}

/// <summary>An activity output; its value is recorded for later activities and, when bound, stored in a variable.</summary>
public sealed class Output<T> : Output
{
    public override Type ValueType => typeof(T);
}
