using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>
/// A template parsed by Fluid, the Liquid engine Elsa uses, so an expression renders here as it does on an Elsa server.
/// Immutable once parsed, so one instance may be rendered by many threads at once.
/// </summary>
internal sealed partial class LiquidTemplate
{
    /// <summary>Statements and loop iterations one rendering may take.</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>The longest output one rendering may write, in characters.</summary>
    public const int MaxOutputLength = 8 * 1024 * 1024;

    // Both are safe to share between threads once configured.
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = LiquidFilters.Register(new TemplateOptions
    {
        MaxSteps = MaxSteps,
        CultureInfo = CultureInfo.InvariantCulture,
        TimeZone = TimeZoneInfo.Utc,
        ModelNamesComparer = StringComparer.OrdinalIgnoreCase,
        StrictFilters = true,
    });

    private readonly IFluidTemplate _template;

    private LiquidTemplate(IFluidTemplate template) => _template = template;

    /// <exception cref="LiquidParseException">The template is not valid Liquid, or names a filter that does not exist; the message gives line and column.</exception>
    public static LiquidTemplate Parse(string source)
    {
        if (!Parser.TryParse(source, out var template, out var error))
        {
            // Fluid says "<what> at (line:column)", then echoes the source line.
            var firstLine = error.Split('\n')[0].TrimEnd();
            var at = Position().Match(firstLine);
            throw at.Success
                ? new LiquidParseException(firstLine[..at.Index], int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(at.Groups[2].Value, CultureInfo.InvariantCulture))
                : new LiquidParseException(firstLine);
        }
        // Fluid finds an unknown filter only when it runs; the designer wants to hear of it on save.
        var filters = new FilterNames();
        filters.VisitTemplate(template);
        foreach (var name in filters.Names)
            if (!Options.Filters.TryGetValue(name, out _))
                throw new LiquidParseException($"Unknown filter '{name}'");
        return new LiquidTemplate(template);
    }

    /// <summary>Renders against <paramref name="model"/>, whose members are the template's top-level names.</summary>
    /// <param name="timeZone">
    /// Where the reader is: the <c>date</c> filter shows times there. Null keeps every time as the model holds it (UTC),
    /// as workflow expressions always have.
    /// </param>
    /// <exception cref="LiquidRenderException">A limit was exceeded or a filter failed.</exception>
    public string Render(FluidValue model, DateTimeOffset now, CancellationToken cancellationToken, TimeZoneInfo? timeZone = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new TemplateContext(model, Options, allowModelMembers: true) { Now = () => now };
        if (timeZone is not null) LiquidFilters.ShowTimesIn(context, timeZone);
        using var output = new BoundedWriter(MaxOutputLength);
        try
        {
            var rendering = _template.RenderAsync(output, NullEncoder.Default, context);
            // Every value the models hold is in memory, so rendering completes synchronously; the rest is the rare fallback.
            if (!rendering.IsCompletedSuccessfully) rendering.AsTask().GetAwaiter().GetResult();
        }
        catch (InvalidOperationException e) when (e.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase))
        {
            throw new LiquidRenderException($"The template exceeded the limit of {MaxSteps} steps (statements and loop iterations) or of nested levels: {e.Message.Trim()}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FluidException or FormatException or OverflowException or ArgumentException)
        {
            throw new LiquidRenderException(e.Message.Trim(), e);
        }
        return output.ToString();
    }

    [GeneratedRegex(@"\s*at \((\d+):(\d+)\)\s*$")]
    private static partial Regex Position();

    private sealed class FilterNames : AstVisitor
    {
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            Names.Add(filterExpression.Name);
            return base.VisitFilterExpression(filterExpression);
        }
    }

    /// <summary>A string writer that refuses to grow past its limit.</summary>
    private sealed class BoundedWriter(int limit) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            Check(1);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Check(count);
            base.Write(buffer, index, count);
        }

        public override void Write(string? value)
        {
            Check(value?.Length ?? 0);
            base.Write(value);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char[] buffer, int index, int count)
        {
            Write(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return Task.CompletedTask;
        }

        private void Check(int adding)
        {
            if (GetStringBuilder().Length + adding > limit)
                throw new LiquidRenderException($"The template produced more than {limit} characters.");
        }
    }
}
