using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Feedback.Workflows.Expressions.Liquid;

/// <summary>The arguments a filter was called with, already evaluated.</summary>
internal sealed class LiquidFilterArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    public int Count => positional.Count;

    public object? At(int index) => index < positional.Count ? positional[index] : null;

    public object? Named(string name) => named.GetValueOrDefault(name);
}

internal delegate object? LiquidFilterFunction(object? input, LiquidFilterArguments arguments, LiquidRenderContext context);

/// <summary>A filter and how many positional arguments it takes (checked when the template is parsed).</summary>
internal sealed record LiquidFilter(string Name, int MinArguments, int MaxArguments, LiquidFilterFunction Apply)
{
    public IReadOnlySet<string> NamedArguments { get; init; } = new HashSet<string>();
}

/// <summary>Liquid's standard filters, plus Elsa's <c>base64</c> and <c>keys</c>.</summary>
internal static partial class LiquidFilters
{
    private static readonly Dictionary<string, LiquidFilter> Filters = Build().ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, [NotNullWhen(true)] out LiquidFilter? filter) => Filters.TryGetValue(name, out filter);

    private static IEnumerable<LiquidFilter> Build()
    {
        // Text
        yield return Text("append", 1, 1, (s, a) => s + LiquidValues.ToText(a.At(0)));
        yield return Text("prepend", 1, 1, (s, a) => LiquidValues.ToText(a.At(0)) + s);
        yield return Text("capitalize", 0, 0, (s, _) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant());
        yield return Text("downcase", 0, 0, (s, _) => s.ToLowerInvariant());
        yield return Text("upcase", 0, 0, (s, _) => s.ToUpperInvariant());
        yield return Text("strip", 0, 0, (s, _) => s.Trim());
        yield return Text("lstrip", 0, 0, (s, _) => s.TrimStart());
        yield return Text("rstrip", 0, 0, (s, _) => s.TrimEnd());
        yield return Text("strip_newlines", 0, 0, (s, _) => s.Replace("\r", "").Replace("\n", ""));
        yield return Text("newline_to_br", 0, 0, (s, _) => s.Replace("\r\n", "\n").Replace("\n", "<br />\n"));
        yield return Text("escape", 0, 0, (s, _) => WebUtility.HtmlEncode(s));
        yield return Text("escape_once", 0, 0, (s, _) => WebUtility.HtmlEncode(WebUtility.HtmlDecode(s)));
        yield return Text("url_encode", 0, 0, (s, _) => WebUtility.UrlEncode(s));
        yield return Text("url_decode", 0, 0, (s, _) => WebUtility.UrlDecode(s));
        yield return Text("strip_html", 0, 0, (s, _) => Tags().Replace(s, ""));
        yield return Text("remove", 1, 1, (s, a) => s.Replace(Arg(a, 0), "", StringComparison.Ordinal));
        yield return Text("remove_first", 1, 1, (s, a) => ReplaceFirst(s, Arg(a, 0), ""));
        yield return Text("remove_last", 1, 1, (s, a) => ReplaceLast(s, Arg(a, 0), ""));
        yield return Text("replace", 1, 2, (s, a) => Arg(a, 0).Length == 0 ? s : s.Replace(Arg(a, 0), Arg(a, 1), StringComparison.Ordinal));
        yield return Text("replace_first", 1, 2, (s, a) => ReplaceFirst(s, Arg(a, 0), Arg(a, 1)));
        yield return Text("replace_last", 1, 2, (s, a) => ReplaceLast(s, Arg(a, 0), Arg(a, 1)));
        yield return Text("truncate", 0, 2, (s, a) => Truncate(s, a.Count > 0 ? Int(a.At(0), "truncate") : 50, a.Count > 1 ? Arg(a, 1) : "..."));
        yield return Text("truncatewords", 0, 2, (s, a) => TruncateWords(s, a.Count > 0 ? Int(a.At(0), "truncatewords") : 15, a.Count > 1 ? Arg(a, 1) : "..."));
        yield return Text("base64_encode", 0, 0, (s, _) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)));
        yield return Text("base64", 0, 0, (s, _) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)));
        yield return Text("base64_decode", 0, 0, (s, _) => Encoding.UTF8.GetString(Convert.FromBase64String(s)));
        yield return Text("base64_url_safe_encode", 0, 0, (s, _) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).Replace('+', '-').Replace('/', '_'));
        yield return Text("base64_url_safe_decode", 0, 0, (s, _) => Encoding.UTF8.GetString(Convert.FromBase64String(UrlSafeToStandard(s))));
        yield return new LiquidFilter("split", 1, 1, (input, a, _) => Split(LiquidValues.ToText(input), Arg(a, 0)));
        yield return new LiquidFilter("slice", 1, 2, (input, a, _) => Slice(input, Int(a.At(0), "slice"), a.Count > 1 ? Int(a.At(1), "slice") : 1));
        yield return new LiquidFilter("size", 0, 0, (input, _, _) => Size(input));

        // Numbers
        yield return Math("plus", (x, y) => x + y);
        yield return Math("minus", (x, y) => x - y);
        yield return Math("times", (x, y) => x * y);
        yield return Math("divided_by", Divide);
        yield return Math("modulo", Modulo);
        yield return Math("at_least", System.Math.Max);
        yield return Math("at_most", System.Math.Min);
        yield return new LiquidFilter("abs", 0, 0, (input, _, _) => System.Math.Abs(Number(input)));
        yield return new LiquidFilter("ceil", 0, 0, (input, _, _) => decimal.Ceiling(Number(input)));
        yield return new LiquidFilter("floor", 0, 0, (input, _, _) => decimal.Floor(Number(input)));
        yield return new LiquidFilter("round", 0, 1, (input, a, _) =>
            System.Math.Round(Number(input), a.Count > 0 ? System.Math.Clamp(Int(a.At(0), "round"), 0, 28) : 0, MidpointRounding.AwayFromZero));

        // Lists
        yield return new LiquidFilter("join", 0, 1, (input, a, _) =>
            string.Join(a.Count > 0 ? Arg(a, 0) : " ", LiquidValues.ToList(input).Select(LiquidValues.ToText)));
        yield return new LiquidFilter("first", 0, 0, (input, _, _) => LiquidValues.GetMember(input, "first"));
        yield return new LiquidFilter("last", 0, 0, (input, _, _) => LiquidValues.GetMember(input, "last"));
        yield return new LiquidFilter("concat", 1, 1, (input, a, _) => LiquidValues.ToList(input).Concat(LiquidValues.ToList(a.At(0))).ToList());
        yield return new LiquidFilter("map", 1, 1, (input, a, _) => LiquidValues.ToList(input).Select(i => LiquidValues.GetMember(i, Arg(a, 0))).ToList());
        yield return new LiquidFilter("where", 1, 2, (input, a, _) => LiquidValues.ToList(input)
            .Where(i => a.Count > 1 ? LiquidValues.AreEqual(LiquidValues.GetMember(i, Arg(a, 0)), a.At(1)) : LiquidValues.IsTruthy(LiquidValues.GetMember(i, Arg(a, 0))))
            .ToList());
        yield return new LiquidFilter("sort", 0, 1, (input, a, _) => Sort(input, a.Count > 0 ? Arg(a, 0) : null, natural: false));
        yield return new LiquidFilter("sort_natural", 0, 1, (input, a, _) => Sort(input, a.Count > 0 ? Arg(a, 0) : null, natural: true));
        yield return new LiquidFilter("uniq", 0, 1, (input, a, _) => LiquidValues.ToList(input)
            .DistinctBy(i => LiquidValues.ToJson(a.Count > 0 ? LiquidValues.GetMember(i, Arg(a, 0)) : i)?.ToJsonString())
            .ToList());
        yield return new LiquidFilter("reverse", 0, 0, (input, _, _) => Enumerable.Reverse(LiquidValues.ToList(input)).ToList());
        yield return new LiquidFilter("compact", 0, 1, (input, a, _) => LiquidValues.ToList(input)
            .Where(i => (a.Count > 0 ? LiquidValues.GetMember(i, Arg(a, 0)) : i) is not null)
            .ToList());
        yield return new LiquidFilter("sum", 0, 1, (input, a, _) => LiquidValues.ToList(input)
            .Select(i => LiquidValues.ToNumber(a.Count > 0 ? LiquidValues.GetMember(i, Arg(a, 0)) : i) ?? 0m)
            .Sum());
        yield return new LiquidFilter("keys", 0, 0, (input, _, _) => Entries(input).Select(p => (object?)p.Key).ToList());
        yield return new LiquidFilter("values", 0, 0, (input, _, _) => Entries(input).Select(p => p.Value).ToList());

        // Anything
        yield return new LiquidFilter("default", 1, 1, (input, a, _) =>
        {
            var allowFalse = LiquidValues.IsTruthy(a.Named("allow_false"));
            var useDefault = input is null || (input is false && !allowFalse) || LiquidValues.IsEmptyValue(input);
            return useDefault ? a.At(0) : input;
        }) { NamedArguments = new HashSet<string> { "allow_false" } };
        yield return new LiquidFilter("date", 0, 1, (input, a, context) => FormatDate(input, a.Count > 0 ? Arg(a, 0) : null, context));
        yield return new LiquidFilter("json", 0, 1, (input, a, _) =>
            LiquidValues.ToJson(input)?.ToJsonString(new JsonSerializerOptions { WriteIndented = LiquidValues.IsTruthy(a.At(0)) }) ?? "null");
        yield return new LiquidFilter("raw", 0, 0, (input, _, _) => input);
    }

    private static LiquidFilter Text(string name, int min, int max, Func<string, LiquidFilterArguments, string> apply) =>
        new(name, min, max, (input, arguments, _) => apply(LiquidValues.ToText(input), arguments));

    private static LiquidFilter Math(string name, Func<decimal, decimal, decimal> apply) =>
        new(name, 1, 1, (input, arguments, _) => apply(Number(input), Number(arguments.At(0))));

    private static string Arg(LiquidFilterArguments arguments, int index) => LiquidValues.ToText(arguments.At(index));

    // Like Liquid, text that is not a number counts as 0 rather than failing.
    private static decimal Number(object? value) => LiquidValues.ToNumber(value) ?? 0m;

    private static int Int(object? value, string filter) =>
        (int)System.Math.Clamp(LiquidValues.ToLong(value, $"argument of '{filter}'"), int.MinValue, int.MaxValue);

    // Integer division only when both sides are integers, flooring like Ruby; otherwise exact division.
    private static decimal Divide(decimal x, decimal y)
    {
        if (y == 0)
            throw new LiquidRenderException("divided_by: division by zero.");
        return x.Scale == 0 && y.Scale == 0 ? decimal.Floor(x / y) : x / y;
    }

    // The result takes the divisor's sign, as in Ruby.
    private static decimal Modulo(decimal x, decimal y)
    {
        if (y == 0)
            throw new LiquidRenderException("modulo: division by zero.");
        var remainder = x % y;
        return remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder;
    }

    private static object Size(object? input) => input switch
    {
        null => 0m,
        string s => (decimal)s.Length,
        _ => LiquidValues.GetMember(input, "size") ?? 0m,
    };

    private static List<object?> Split(string text, string separator)
    {
        IEnumerable<string> parts = separator.Length == 0
            ? text.Select(c => c.ToString())
            : text.Split(separator);
        var list = parts.Select(p => (object?)p).ToList();
        // Ruby's split drops trailing empty strings.
        while (list.Count > 0 && (string)list[^1]! == "")
            list.RemoveAt(list.Count - 1);
        return list;
    }

    private static object? Slice(object? input, int start, int length)
    {
        if (LiquidValues.IsList(input))
        {
            var list = LiquidValues.ToList(input);
            var (from, count) = Window(list.Count, start, length);
            return list.GetRange(from, count);
        }

        var text = LiquidValues.ToText(input);
        var (offset, take) = Window(text.Length, start, length);
        return text.Substring(offset, take);
    }

    private static (int Start, int Count) Window(int total, int start, int length)
    {
        if (start < 0)
            start += total;
        if (start < 0 || start >= total || length <= 0)
            return (0, 0);
        return (start, System.Math.Min(length, total - start));
    }

    private static string ReplaceFirst(string text, string search, string replacement)
    {
        var index = search.Length == 0 ? -1 : text.IndexOf(search, StringComparison.Ordinal);
        return index < 0 ? text : string.Concat(text.AsSpan(0, index), replacement, text.AsSpan(index + search.Length));
    }

    private static string ReplaceLast(string text, string search, string replacement)
    {
        var index = search.Length == 0 ? -1 : text.LastIndexOf(search, StringComparison.Ordinal);
        return index < 0 ? text : string.Concat(text.AsSpan(0, index), replacement, text.AsSpan(index + search.Length));
    }

    private static string Truncate(string text, int length, string ellipsis)
    {
        if (text.Length <= length)
            return text;
        var keep = System.Math.Max(0, length - ellipsis.Length);
        return text[..keep] + ellipsis;
    }

    private static string TruncateWords(string text, int count, string ellipsis)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        count = System.Math.Max(1, count);
        return words.Length <= count ? text : string.Join(' ', words.Take(count)) + ellipsis;
    }

    private static string UrlSafeToStandard(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        return standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
    }

    private static List<object?> Sort(object? input, string? property, bool natural)
    {
        var list = LiquidValues.ToList(input);
        object? Key(object? item) => property is null ? item : LiquidValues.GetMember(item, property);
        var comparer = Comparer<object?>.Create((a, b) =>
        {
            // Nil sorts last, numbers before text, text ordinally (or ignoring case for sort_natural).
            if (a is null || b is null)
                return a is null ? (b is null ? 0 : 1) : -1;
            if (natural && a is string sa && b is string sb)
                return string.Compare(sa, sb, StringComparison.OrdinalIgnoreCase);
            return LiquidValues.Compare(a, b) ?? (a is decimal ? -1 : b is decimal ? 1 : string.CompareOrdinal(LiquidValues.ToText(a), LiquidValues.ToText(b)));
        });
        return list.OrderBy(Key, comparer).ToList();
    }

    private static IEnumerable<KeyValuePair<string, object?>> Entries(object? input) => input switch
    {
        JsonObject obj => obj.Select(p => KeyValuePair.Create(p.Key, LiquidValues.Normalize(p.Value))),
        ILiquidObject model => model.Keys.Select(k => KeyValuePair.Create(k, model.TryGetMember(k, out var v) ? LiquidValues.Normalize(v) : null)),
        IDictionary<string, object?> dictionary => dictionary,
        _ => [],
    };

    private static object? FormatDate(object? input, string? format, LiquidRenderContext context)
    {
        DateTimeOffset? date = input switch
        {
            DateTimeOffset d => d,
            string s when s.Equals("now", StringComparison.OrdinalIgnoreCase) || s.Equals("today", StringComparison.OrdinalIgnoreCase) => context.Now,
            string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            decimal seconds => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)),
            _ => null,
        };
        // Liquid leaves what it cannot read as a date untouched.
        if (date is null)
            return input;
        return string.IsNullOrEmpty(format) ? date.Value : Strftime(date.Value, format);
    }

    private static string Strftime(DateTimeOffset date, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var noPadding = format[i + 1] == '-';
            if (noPadding && i + 2 >= format.Length)
            {
                builder.Append(format, i, 2);
                break;
            }

            var code = format[noPadding ? i + 2 : i + 1];
            i += noPadding ? 2 : 1;
            string Pad(int value, int width, char padding = '0') =>
                noPadding ? value.ToString(culture) : value.ToString(culture).PadLeft(width, padding);
            var hour12 = date.Hour % 12 == 0 ? 12 : date.Hour % 12;
            builder.Append(code switch
            {
                'a' => date.ToString("ddd", culture),
                'A' => date.ToString("dddd", culture),
                'b' or 'h' => date.ToString("MMM", culture),
                'B' => date.ToString("MMMM", culture),
                'c' => date.ToString("ddd MMM d HH:mm:ss yyyy", culture),
                'C' => Pad(date.Year / 100, 2),
                'd' => Pad(date.Day, 2),
                'D' => date.ToString("MM/dd/yy", culture),
                'e' => Pad(date.Day, 2, ' '),
                'F' => date.ToString("yyyy-MM-dd", culture),
                'H' => Pad(date.Hour, 2),
                'I' => Pad(hour12, 2),
                'j' => Pad(date.DayOfYear, 3),
                'k' => Pad(date.Hour, 2, ' '),
                'l' => Pad(hour12, 2, ' '),
                'L' => Pad(date.Millisecond, 3),
                'm' => Pad(date.Month, 2),
                'M' => Pad(date.Minute, 2),
                'N' => (date.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", culture),
                'p' => date.Hour < 12 ? "AM" : "PM",
                'P' => date.Hour < 12 ? "am" : "pm",
                's' => date.ToUnixTimeSeconds().ToString(culture),
                'S' => Pad(date.Second, 2),
                'T' => date.ToString("HH:mm:ss", culture),
                'R' => date.ToString("HH:mm", culture),
                'u' => ((int)date.DayOfWeek == 0 ? 7 : (int)date.DayOfWeek).ToString(culture),
                'w' => ((int)date.DayOfWeek).ToString(culture),
                'y' => Pad(date.Year % 100, 2),
                'Y' => date.Year.ToString(culture),
                'z' => date.ToString("zzz", culture).Replace(":", ""),
                'Z' => date.Offset == TimeSpan.Zero ? "UTC" : date.ToString("zzz", culture),
                '%' => "%",
                _ => "%" + (noPadding ? "-" : "") + code,
            });
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"<script.*?</script>|<style.*?</style>|<!--.*?-->|<[^>]*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Tags();
}
