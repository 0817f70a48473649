using System.Globalization;

namespace Feedback.Benchmarks;

/// <summary><c>--name value</c> pairs from the command line; each benchmark reads the ones it knows with a default.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = [];

    private BenchOptions(Dictionary<string, string> values) => _values = values;

    /// <exception cref="FormatException">An argument is not a <c>--name value</c> pair.</exception>
    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3) throw new FormatException($"expected --name value, got '{name}'");
            if (!e.MoveNext()) throw new FormatException($"{name} needs a value");
            values[name[2..]] = e.Current;
        }
        return new BenchOptions(values);
    }

    public int Int(string name, int fallback, int min = 1) => (int)Number(name, fallback, min);

    public double Double(string name, double fallback, double min = 0) => Number(name, fallback, min);

    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Number(name, fallback, 0.1));

    /// <summary>The option's text as given, or null.</summary>
    public string? Text(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    /// <summary>Options given but never read: a misspelt name would otherwise silently fall back to the default.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new BenchmarkException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }

    private double Number(string name, double fallback, double min)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new BenchmarkException($"--{name}: '{text}' is not a number of at least {min}");
        return value;
    }
}
