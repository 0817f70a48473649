using System.Text;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>State of one render: assigned names, loop scopes, counters, and the limits that stop runaway templates.</summary>
internal sealed class LiquidRenderContext(ILiquidObject model, DateTimeOffset now, CancellationToken cancellationToken)
{
    /// <summary>Statements plus loop iterations one render may execute.</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Characters one render may produce.</summary>
    public const int MaxOutputLength = 8 * 1024 * 1024;

    // [0] holds `assign`/`capture` results, which Liquid keeps global; loops push their own scope on top.
    private readonly List<Dictionary<string, object?>> _scopes = [new(StringComparer.OrdinalIgnoreCase)];
    private readonly List<ForLoopObject> _loops = [];
    private readonly Dictionary<string, decimal> _counters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _cycles = new(StringComparer.Ordinal);
    private int _steps;

    /// <summary>The moment <c>'now'</c> and <c>'today'</c> stand for.</summary>
    public DateTimeOffset Now { get; } = now;

    public ForLoopObject? CurrentLoop => _loops.Count > 0 ? _loops[^1] : null;

    public object? Resolve(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out var value))
                return value;
        }

        if (name == "forloop" && CurrentLoop is { } loop)
            return loop;
        return model.TryGetMember(name, out var member) ? LiquidValues.Normalize(member) : null;
    }

    public void Assign(string name, object? value) => _scopes[0][name] = value;

    public void SetLocal(string name, object? value) => _scopes[^1][name] = value;

    public void PushScope(ForLoopObject loop)
    {
        _scopes.Add(new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase));
        _loops.Add(loop);
    }

    public void PopScope()
    {
        _scopes.RemoveAt(_scopes.Count - 1);
        _loops.RemoveAt(_loops.Count - 1);
    }

    /// <summary>Liquid's counters: <c>increment</c> shows then adds one (from 0); <c>decrement</c> subtracts then shows (from -1).</summary>
    public decimal Count(string name, bool decrement)
    {
        var current = _counters.GetValueOrDefault(name);
        if (decrement)
        {
            _counters[name] = current - 1;
            return current - 1;
        }

        _counters[name] = current + 1;
        return current;
    }

    public int NextCycle(string key, int length)
    {
        var index = _cycles.GetValueOrDefault(key);
        _cycles[key] = (index + 1) % length;
        return index % length;
    }

    /// <summary>Counts one unit of work and enforces the limits; cheap enough to call per statement.</summary>
    public void Step(StringBuilder output)
    {
        if (++_steps > MaxSteps)
            throw new LiquidRenderException($"The template exceeded the limit of {MaxSteps} steps (statements and loop iterations).");
        if (output.Length > MaxOutputLength)
            throw new LiquidRenderException($"The template produced more than {MaxOutputLength} characters.");
        if ((_steps & 0x3FF) == 0)
            cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>The <c>forloop</c> object of the innermost loop.</summary>
internal sealed class ForLoopObject(long length, ForLoopObject? parent) : ILiquidObject
{
    private static readonly string[] Names = ["index", "index0", "rindex", "rindex0", "first", "last", "length", "parentloop"];

    public long Index0 { get; set; }

    public IEnumerable<string> Keys => Names;

    public bool TryGetMember(string name, out object? value)
    {
        value = name switch
        {
            "index" => (decimal)(Index0 + 1),
            "index0" => (decimal)Index0,
            "rindex" => (decimal)(length - Index0),
            "rindex0" => (decimal)(length - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == length - 1,
            "length" => (decimal)length,
            "parentloop" => parent,
            _ => null,
        };
        return Array.IndexOf(Names, name) >= 0;
    }
}
