using System.Text;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>Filters beyond Fluid's standard ones: Elsa's <c>base64</c> and <c>keys</c>, and a <c>json</c> that keeps JSON values as they were.</summary>
internal static class LiquidFilters
{
    /// <summary>Adds the filters to <paramref name="options"/> and returns them.</summary>
    public static TemplateOptions Register(TemplateOptions options)
    {
        options.Filters.AddFilter("base64", (input, _, _) => new(new StringValue(Convert.ToBase64String(Encoding.UTF8.GetBytes(input.ToStringValue())))));
        options.Filters.AddFilter("keys", (input, _, _) => new(input is JsonObjectValue o
            ? new ArrayValue(o.Json.Select(p => (FluidValue)new StringValue(p.Key)).ToList())
            : NilValue.Instance));
        options.Filters.AddFilter("json", (input, arguments, context) =>
        {
            var indented = arguments.Count > 0 && arguments.At(0).ToBooleanValue();
            var json = JsonLiquidValues.ToJson(input, context);
            return new(new StringValue(json?.ToJsonString(indented ? Indented : Compact) ?? "null"));
        });
        return options;
    }

    private static readonly JsonSerializerOptions Compact = new();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
