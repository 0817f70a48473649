using System.Text.Json;

namespace Feedback.Workflows.Serialization;

/// <summary>
/// Refuses JSON that parses but cannot be stored or read back faithfully: text with NUL characters (PostgreSQL text
/// cannot hold them), unpaired UTF-16 surrogates or invalid UTF-8 (no encoding can write them), and objects that name
/// a property twice (which value wins differs between readers). Request bodies pass through here before parsing, so
/// such input gets a 400 instead of failing at the database.
/// </summary>
public static class StorableJson
{
    /// <summary>Checks a UTF-8 JSON document.</summary>
    /// <exception cref="JsonException">Not JSON, or it holds text or a property that cannot be stored; the message says where.</exception>
    public static void Check(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var objects = new Stack<HashSet<string>>();
        var lastProperty = "";
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    objects.Push(new HashSet<string>(StringComparer.Ordinal));
                    break;
                case JsonTokenType.EndObject:
                    objects.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    var name = Text(ref reader, lastProperty);
                    if (!objects.Peek().Add(name)) throw new JsonException($"The property '{Shorten(name)}' appears twice in one object; send it once.");
                    lastProperty = name;
                    break;
                case JsonTokenType.String:
                    Text(ref reader, lastProperty);
                    break;
            }
        }
    }

    /// <summary>A reason why <paramref name="text"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return "contains a NUL character";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return "contains an unpaired UTF-16 surrogate (not valid Unicode)";
        }
        return null;
    }

    private static string Text(ref Utf8JsonReader reader, string property)
    {
        string text;
        try { text = reader.GetString()!; }
        catch (InvalidOperationException e)
        {
            throw new JsonException($"Text near '{Shorten(property)}' is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape).", e);
        }
        if (Problem(text) is { } problem) throw new JsonException($"Text near '{Shorten(property)}' {problem}; it cannot be stored.");
        return text;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
