using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feedback.Benchmarks;

/// <summary>
/// What a benchmark prints: a table for people and, as the last line, one JSON object for tools
/// (<c>grep '^{"benchmark"'</c>). Every figure goes into both, so the two cannot disagree.
/// </summary>
internal sealed class Report
{
    private readonly string _benchmark;
    private readonly List<(string Measure, string Value, string Unit)> _rows = [];
    private readonly JsonObject _json;

    public Report(string benchmark)
    {
        _benchmark = benchmark;
        _json = new JsonObject { ["benchmark"] = benchmark, ["machine"] = Machine.Describe() };
    }

    /// <summary>A figure for the table and the JSON; <paramref name="key"/> is its JSON name.</summary>
    public Report Add(string key, string measure, double value, string unit, int decimals = 1)
    {
        var rounded = double.IsFinite(value) ? Math.Round(value, decimals) : double.NaN;
        _rows.Add((measure, double.IsFinite(value) ? rounded.ToString("N" + decimals, CultureInfo.InvariantCulture) : "n/a", unit));
        _json[key] = double.IsFinite(value) ? rounded : null;
        return this;
    }

    /// <summary>A text row (settings, verdicts).</summary>
    public Report Add(string key, string measure, string value)
    {
        _rows.Add((measure, value, ""));
        _json[key] = value;
        return this;
    }

    /// <summary>A value for the JSON line only (nested details).</summary>
    public Report Json(string key, JsonNode? value)
    {
        _json[key] = value;
        return this;
    }

    /// <summary>A target and whether it was met, in both forms.</summary>
    public Report Target(string key, string description, bool met)
    {
        _rows.Add(($"target: {description}", met ? "met" : "NOT met", ""));
        _json[key] = new JsonObject { ["target"] = description, ["met"] = met };
        return this;
    }

    public void Print()
    {
        var width = Math.Max(7, _rows.Max(r => r.Measure.Length));
        var valueWidth = Math.Max(5, _rows.Max(r => r.Value.Length));
        Console.WriteLine();
        Console.WriteLine($"## {_benchmark}");
        Console.WriteLine();
        Console.WriteLine($"| {"Measure".PadRight(width)} | {"Value".PadLeft(valueWidth)} | Unit");
        Console.WriteLine($"| {new string('-', width)} | {new string('-', valueWidth)} | ----");
        foreach (var (measure, value, unit) in _rows)
            Console.WriteLine($"| {measure.PadRight(width)} | {value.PadLeft(valueWidth)} | {unit}");
        Console.WriteLine();
        Console.WriteLine(_json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}

/// <summary>The facts about the machine a figure is meaningless without.</summary>
internal static class Machine
{
    /// <summary>The 1-minute load average when the runner started (null where /proc is missing).</summary>
    public static readonly string? LoadAtStart = LoadAverage();

    public static JsonObject Describe() => new()
    {
        ["processors"] = Environment.ProcessorCount,
        ["memoryGiB"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["dotnet"] = Environment.Version.ToString(),
        // Other work on the machine skews every figure; the load averages make that visible.
        ["loadAverageAtStart"] = LoadAtStart,
        ["loadAverageAtEnd"] = LoadAverage(),
        ["utc"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    private static string? LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
}
