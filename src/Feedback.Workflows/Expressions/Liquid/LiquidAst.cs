using System.Text;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>How a statement ended: normally, or by <c>break</c>/<c>continue</c> travelling up to the nearest loop.</summary>
internal enum Completion
{
    Normal,
    Break,
    Continue,
}

/// <summary>A statement of a parsed template.</summary>
internal abstract class LiquidStatement
{
    public abstract Completion Render(LiquidRenderContext context, StringBuilder output);

    public static Completion RenderAll(IReadOnlyList<LiquidStatement> statements, LiquidRenderContext context, StringBuilder output)
    {
        foreach (var statement in statements)
        {
            context.Step(output);
            var completion = statement.Render(context, output);
            if (completion != Completion.Normal)
                return completion;
        }

        return Completion.Normal;
    }
}

internal sealed class TextStatement(string text) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        output.Append(text);
        return Completion.Normal;
    }
}

internal sealed class OutputStatement(LiquidExpression expression) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        output.Append(LiquidValues.ToText(expression.Evaluate(context)));
        return Completion.Normal;
    }
}

internal sealed record ConditionalBranch(LiquidExpression Condition, bool Negate, IReadOnlyList<LiquidStatement> Body);

/// <summary><c>if</c>/<c>elsif</c>/<c>else</c>, and <c>unless</c> (a negated first branch).</summary>
internal sealed class IfStatement(IReadOnlyList<ConditionalBranch> branches, IReadOnlyList<LiquidStatement>? otherwise) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        foreach (var branch in branches)
        {
            if (LiquidValues.IsTruthy(branch.Condition.Evaluate(context)) != branch.Negate)
                return RenderAll(branch.Body, context, output);
        }

        return otherwise is null ? Completion.Normal : RenderAll(otherwise, context, output);
    }
}

internal sealed record CaseBranch(IReadOnlyList<LiquidExpression> Values, IReadOnlyList<LiquidStatement> Body);

internal sealed class CaseStatement(LiquidExpression subject, IReadOnlyList<CaseBranch> branches, IReadOnlyList<LiquidStatement>? otherwise)
    : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        var value = subject.Evaluate(context);
        foreach (var branch in branches)
        {
            if (branch.Values.Any(v => LiquidValues.AreEqual(value, v.Evaluate(context))))
                return RenderAll(branch.Body, context, output);
        }

        return otherwise is null ? Completion.Normal : RenderAll(otherwise, context, output);
    }
}

internal sealed class ForStatement(
    string variable,
    LiquidExpression collection,
    LiquidExpression? limit,
    LiquidExpression? offset,
    bool reversed,
    IReadOnlyList<LiquidStatement> body,
    IReadOnlyList<LiquidStatement>? otherwise) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        var items = LiquidValues.ToSequence(collection.Evaluate(context));
        long start = offset is null ? 0 : Math.Max(0, LiquidValues.ToLong(offset.Evaluate(context), "for offset"));
        var count = Math.Max(0, items.Count - start);
        if (limit is not null)
            count = Math.Min(count, Math.Max(0, LiquidValues.ToLong(limit.Evaluate(context), "for limit")));

        if (count == 0)
            return otherwise is null ? Completion.Normal : RenderAll(otherwise, context, output);

        var loop = new ForLoopObject(count, context.CurrentLoop);
        context.PushScope(loop);
        try
        {
            for (long i = 0; i < count; i++)
            {
                context.Step(output);
                loop.Index0 = i;
                context.SetLocal(variable, items.At(start + (reversed ? count - 1 - i : i)));
                if (RenderAll(body, context, output) == Completion.Break)
                    break;
            }
        }
        finally
        {
            context.PopScope();
        }

        return Completion.Normal;
    }
}

internal sealed class AssignStatement(string name, LiquidExpression value) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        context.Assign(name, value.Evaluate(context));
        return Completion.Normal;
    }
}

internal sealed class CaptureStatement(string name, IReadOnlyList<LiquidStatement> body) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        var captured = new StringBuilder();
        var completion = RenderAll(body, context, captured);
        context.Assign(name, captured.ToString());
        return completion;
    }
}

internal sealed class CounterStatement(string name, bool decrement) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        output.Append(LiquidValues.ToText(context.Count(name, decrement)));
        return Completion.Normal;
    }
}

internal sealed class CycleStatement(LiquidExpression? group, IReadOnlyList<LiquidExpression> values, string key) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output)
    {
        var groupKey = group is null ? key : "group:" + LiquidValues.ToText(group.Evaluate(context));
        var index = context.NextCycle(groupKey, values.Count);
        output.Append(LiquidValues.ToText(values[index].Evaluate(context)));
        return Completion.Normal;
    }
}

internal sealed class JumpStatement(Completion completion) : LiquidStatement
{
    public override Completion Render(LiquidRenderContext context, StringBuilder output) => completion;
}

/// <summary>An expression of a parsed template.</summary>
internal abstract class LiquidExpression
{
    public abstract object? Evaluate(LiquidRenderContext context);
}

internal sealed class LiteralExpression(object? value) : LiquidExpression
{
    public object? Value { get; } = value;

    public override object? Evaluate(LiquidRenderContext context) => Value;
}

/// <summary>One step of a path: <c>.name</c> or <c>[expression]</c>.</summary>
internal sealed record PathSegment(string? Member, LiquidExpression? Index);

/// <summary><c>name.member[index]...</c>; the root is a name, or an expression for <c>["quoted name"]</c>.</summary>
internal sealed class PathExpression(string? root, LiquidExpression? rootIndex, IReadOnlyList<PathSegment> segments) : LiquidExpression
{
    public override object? Evaluate(LiquidRenderContext context)
    {
        var value = root is not null
            ? context.Resolve(root)
            : context.Resolve(LiquidValues.ToText(rootIndex!.Evaluate(context)));
        foreach (var segment in segments)
        {
            if (value is null)
                return null;
            value = segment.Member is not null
                ? LiquidValues.GetMember(value, segment.Member)
                : LiquidValues.GetIndex(value, segment.Index!.Evaluate(context));
        }

        return value;
    }
}

internal sealed class RangeExpression(LiquidExpression from, LiquidExpression to) : LiquidExpression
{
    public override object? Evaluate(LiquidRenderContext context) =>
        new LiquidRange(LiquidValues.ToLong(from.Evaluate(context), "range start"), LiquidValues.ToLong(to.Evaluate(context), "range end"));
}

internal sealed class FilterExpression(
    LiquidExpression input,
    LiquidFilter filter,
    IReadOnlyList<LiquidExpression> positional,
    IReadOnlyList<KeyValuePair<string, LiquidExpression>> named) : LiquidExpression
{
    public override object? Evaluate(LiquidRenderContext context)
    {
        var value = input.Evaluate(context);
        var arguments = new LiquidFilterArguments(
            positional.Select(p => p.Evaluate(context)).ToList(),
            named.ToDictionary(n => n.Key, n => n.Value.Evaluate(context), StringComparer.Ordinal));
        try
        {
            return filter.Apply(value, arguments, context);
        }
        catch (LiquidRenderException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or DivideByZeroException)
        {
            throw new LiquidRenderException($"Filter '{filter.Name}' failed: {ex.Message}", ex);
        }
    }
}

internal sealed class ComparisonExpression(string op, LiquidExpression left, LiquidExpression right) : LiquidExpression
{
    public override object? Evaluate(LiquidRenderContext context)
    {
        var a = left.Evaluate(context);
        var b = right.Evaluate(context);
        return op switch
        {
            "==" => LiquidValues.AreEqual(a, b),
            "!=" or "<>" => !LiquidValues.AreEqual(a, b),
            "<" => LiquidValues.Compare(a, b) is < 0,
            ">" => LiquidValues.Compare(a, b) is > 0,
            "<=" => LiquidValues.Compare(a, b) is <= 0,
            ">=" => LiquidValues.Compare(a, b) is >= 0,
            "contains" => LiquidValues.Contains(a, b),
            _ => throw new LiquidRenderException($"Unknown operator '{op}'."),
        };
    }
}

/// <summary><c>and</c>/<c>or</c>: Liquid has no precedence and groups from the right, so the parser nests them that way.</summary>
internal sealed class LogicalExpression(bool isAnd, LiquidExpression left, LiquidExpression right) : LiquidExpression
{
    public override object? Evaluate(LiquidRenderContext context)
    {
        var first = LiquidValues.IsTruthy(left.Evaluate(context));
        if (isAnd ? !first : first)
            return first;
        return LiquidValues.IsTruthy(right.Evaluate(context));
    }
}
