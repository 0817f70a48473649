using System.Text;
using System.Text.Json.Nodes;

namespace Feedback.Activities.Tests.Fuzzing;

/// <summary>
/// Turns a valid JSON document into hostile variants: wrong types, huge and strange strings, deep nesting, truncation,
/// random bytes. Seeded, so a failing case can be replayed from the seed and the index in the failure message.
/// </summary>
public sealed class JsonMutator(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Strings that have broken systems before: markup, SQL, control and NUL characters, lone surrogates.</summary>
    public static readonly string[] HostileStrings =
    [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE feedback_cases; --", "{{ 7 * 7 }}",
        "${jndi:ldap://x}", "\u0000", "a\u0000b", "\ud800", "\udfff x", "\u202e\u0635", "\r\n\r\nBcc: victim@example.com",
        "../../../etc/passwd", "%00", "\u001b[31m", new string('\u0301', 500), "😀🥫", "", " ", "null", "NaN", "-1", "1e309",
        "FB-2026-000001", "Return", "WebForm",
    ];

    /// <summary>One mutated body: bytes to send, and a short description for failure messages.</summary>
    public (byte[] Body, string What) Mutate(JsonObject valid)
    {
        var document = valid.DeepClone().AsObject();
        switch (_random.Next(9))
        {
            case 0: return (Encoding.UTF8.GetBytes(Truncate(document.ToJsonString())), "truncated");
            case 1: return (RandomBytes(), "random bytes");
            case 2: return (Encoding.UTF8.GetBytes(Nested(_random.Next(50, 5000))), "deep nesting");
            case 3:
                {
                    var path = ReplaceRandomValue(document, RandomValue());
                    return (Encoding.UTF8.GetBytes(document.ToJsonString()), $"wrong value at {path}");
                }
            case 4:
                {
                    var path = ReplaceRandomValue(document, JsonValue.Create(HostileStrings[_random.Next(HostileStrings.Length)]));
                    return (Encoding.UTF8.GetBytes(document.ToJsonString()), $"hostile string at {path}");
                }
            case 5:
                {
                    var path = ReplaceRandomValue(document, JsonValue.Create(new string('字', _random.Next(10_000, 400_000))));
                    return (Encoding.UTF8.GetBytes(document.ToJsonString()), $"huge string at {path}");
                }
            case 6:
                // Escapes written by hand: lone surrogates and NUL as JSON escapes rather than raw bytes.
                return (Encoding.UTF8.GetBytes(document.ToJsonString().Replace("\"zh-CN\"", "\"\\ud800\"").Replace("\"content\":\"", "\"content\":\"\\u0000")), "escaped NUL and lone surrogate");
            case 7:
                {
                    document[RandomKey(document) + "_extra"] = RandomValue();
                    var text = document.ToJsonString();
                    // A duplicate key after the fact.
                    text = text.TrimEnd('}') + ",\"" + RandomKey(document) + "\":" + (RandomValue()?.ToJsonString() ?? "null") + "}";
                    return (Encoding.UTF8.GetBytes(text), "duplicate key");
                }
            default:
                return (Encoding.UTF8.GetBytes(RandomValue()?.ToJsonString() ?? "null"), "a bare value instead of an object");
        }
    }

    private string Truncate(string text) => text[.._random.Next(0, Math.Max(1, text.Length - 1))];

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(1, 2000)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private string RandomKey(JsonObject document)
    {
        var keys = document.Select(p => p.Key).ToList();
        return keys.Count == 0 ? "x" : keys[_random.Next(keys.Count)];
    }

    /// <summary>Replaces one value somewhere in the document (objects and arrays are walked at random); returns its path.</summary>
    private string ReplaceRandomValue(JsonNode node, JsonNode? replacement)
    {
        var path = "$";
        while (true)
        {
            switch (node)
            {
                case JsonObject o when o.Count > 0:
                    {
                        var key = o.Select(p => p.Key).ElementAt(_random.Next(o.Count));
                        path += "." + key;
                        if (o[key] is JsonObject or JsonArray && _random.Next(2) == 0) { node = o[key]!; continue; }
                        o[key] = replacement;
                        return path;
                    }
                case JsonArray a when a.Count > 0:
                    {
                        var index = _random.Next(a.Count);
                        path += $"[{index}]";
                        if (a[index] is JsonObject or JsonArray && _random.Next(2) == 0) { node = a[index]!; continue; }
                        a[index] = replacement;
                        return path;
                    }
                default:
                    return path;
            }
        }
    }

    private JsonNode? RandomValue() => _random.Next(10) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(2) == 0),
        2 => JsonValue.Create(_random.NextInt64(long.MinValue, long.MaxValue)),
        3 => JsonValue.Create(_random.NextDouble() * 1e300),
        4 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x"), null),
        5 => new JsonObject { ["nested"] = new JsonObject { ["deeper"] = "value" } },
        6 => JsonValue.Create(HostileStrings[_random.Next(HostileStrings.Length)]),
        7 => JsonValue.Create("2026-13-45T99:99:99Z"),
        8 => JsonValue.Create(-1),
        _ => JsonValue.Create(new string('x', _random.Next(0, 5000))),
    };
}
