using System.Text;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>
/// Filters beyond Fluid's standard ones: Elsa's <c>base64</c> and <c>keys</c>, a <c>json</c> that keeps JSON values as
/// they were, and a <c>date</c> that shows times in the reader's time zone when the rendering names one.
/// </summary>
internal static class LiquidFilters
{
    /// <summary>Adds the filters to <paramref name="options"/> and returns them.</summary>
    public static TemplateOptions Register(TemplateOptions options)
    {
        options.Filters.AddFilter("base64", (input, _, _) => new(new StringValue(Convert.ToBase64String(Encoding.UTF8.GetBytes(input.ToStringValue())))));
        options.Filters.AddFilter("keys", (input, _, _) => new(input is JsonObjectValue o
            ? new ArrayValue(o.Json.Select(p => (FluidValue)new StringValue(p.Key)).ToList())
            : NilValue.Instance));
        // Fluid's date formats a time with the offset it came with; the model's times are UTC.
        if (!options.Filters.TryGetValue("date", out var date)) throw new InvalidOperationException("Fluid has no date filter.");
        options.Filters.AddFilter("date", (input, arguments, context) =>
            context.AmbientValues.TryGetValue(ZoneKey, out var zone) && input.TryGetDateTimeInput(context, out var at)
                ? date(new DateTimeValue(TimeZoneInfo.ConvertTime(at, (TimeZoneInfo)zone)), arguments, context)
                : date(input, arguments, context));
        options.Filters.AddFilter("json", (input, arguments, context) =>
        {
            var indented = arguments.Count > 0 && arguments.At(0).ToBooleanValue();
            var json = JsonLiquidValues.ToJson(input, context);
            return new(new StringValue(json?.ToJsonString(indented ? Indented : Compact) ?? "null"));
        });
        return options;
    }

    private const string ZoneKey = "Feedback.TimeZone";

    /// <summary>Makes <c>date</c> show times in <paramref name="zone"/> for this rendering.</summary>
    public static void ShowTimesIn(TemplateContext context, TimeZoneInfo zone)
    {
        context.AmbientValues[ZoneKey] = zone;
        // Times written without an offset ("2026-11-25 08:00") are read as the reader's, too.
        context.TimeZone = zone;
    }

    private static readonly JsonSerializerOptions Compact = new();
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
