using System.Globalization;
using System.Text.RegularExpressions;

namespace Feedback.Workflows.Expressions.Liquid;

internal enum SegmentKind
{
    Text,
    Output,
    Tag,
    /// <summary>A place holder left by a comment or by raw's delimiters: renders nothing, but carries trim markers.</summary>
    Nothing,
}

/// <summary>One piece of a template: literal text, <c>{{ output }}</c> or <c>{% tag %}</c>, with its whitespace-trim markers.</summary>
internal sealed record Segment(SegmentKind Kind, string Content, int Offset, bool TrimBefore, bool TrimAfter)
{
    /// <summary>The text, possibly trimmed later by a neighbour's <c>-</c> marker.</summary>
    public string Content { get; set; } = Content;

    /// <summary>For tags: the first word (<c>if</c>, <c>endfor</c>...).</summary>
    public string TagName { get; init; } = "";

    /// <summary>For tags: what follows the name; for outputs: the whole expression.</summary>
    public string Markup { get; init; } = "";

    /// <summary>Where <see cref="Markup"/> starts in the template, for error positions.</summary>
    public int MarkupOffset { get; init; }
}

/// <summary>Splits a template into segments and expression markup into tokens.</summary>
internal static partial class LiquidLexer
{
    public static List<Segment> Scan(string source)
    {
        var segments = new List<Segment>();
        var i = 0;
        while (i < source.Length)
        {
            var open = NextDelimiter(source, i);
            if (open < 0)
            {
                segments.Add(new Segment(SegmentKind.Text, source[i..], i, false, false));
                break;
            }

            if (open > i)
                segments.Add(new Segment(SegmentKind.Text, source[i..open], i, false, false));

            var isOutput = source[open + 1] == '{';
            var start = open + 2;
            var trimBefore = start < source.Length && source[start] == '-';
            if (trimBefore)
                start++;
            var close = isOutput ? "}}" : "%}";
            var end = FindClose(source, start, close);
            if (end < 0)
                throw Error(source, open, $"'{source.Substring(open, 2)}' is never closed with '{close}'");
            var trimAfter = end > start && source[end - 1] == '-';
            var content = source[start..(trimAfter ? end - 1 : end)];
            i = end + 2;

            if (isOutput)
            {
                segments.Add(new Segment(SegmentKind.Output, content, open, trimBefore, trimAfter) { Markup = content, MarkupOffset = start });
                continue;
            }

            var (name, markup, markupOffset) = SplitTag(content, start);
            if (name is "raw" or "comment")
            {
                // Their bodies are not Liquid: find the closing tag textually instead of parsing what lies between.
                var closing = (name == "raw" ? EndRaw() : EndComment()).Match(source, i);
                if (!closing.Success)
                    throw Error(source, open, $"'{name}' is never closed with 'end{name}'");
                segments.Add(new Segment(SegmentKind.Nothing, "", open, trimBefore, trimAfter));
                if (name == "raw")
                    segments.Add(new Segment(SegmentKind.Text, source[i..closing.Index], i, false, false) { TagName = "raw" });
                segments.Add(new Segment(SegmentKind.Nothing, "", closing.Index, closing.Groups["before"].Success, closing.Groups["after"].Success));
                i = closing.Index + closing.Length;
                continue;
            }

            segments.Add(new Segment(SegmentKind.Tag, content, open, trimBefore, trimAfter)
            {
                TagName = name,
                Markup = markup,
                MarkupOffset = markupOffset,
            });
        }

        ApplyTrimming(segments);
        return segments;
    }

    public static List<Token> Tokenize(string source, string markup, int baseOffset)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < markup.Length)
        {
            var c = markup[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                i++;
                while (i < markup.Length && (char.IsLetterOrDigit(markup[i]) || markup[i] is '_' or '-'))
                    i++;
                if (i < markup.Length && markup[i] == '?')
                    i++;
                tokens.Add(new Token(TokenKind.Identifier, markup[start..i], baseOffset + start));
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < markup.Length && char.IsDigit(markup[i + 1])))
            {
                i++;
                while (i < markup.Length && char.IsDigit(markup[i]))
                    i++;
                if (i + 1 < markup.Length && markup[i] == '.' && char.IsDigit(markup[i + 1]))
                {
                    i++;
                    while (i < markup.Length && char.IsDigit(markup[i]))
                        i++;
                }

                var text = markup[start..i];
                tokens.Add(new Token(TokenKind.Number, text, baseOffset + start,
                    decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)));
            }
            else if (c is '"' or '\'')
            {
                var closing = markup.IndexOf(c, i + 1);
                if (closing < 0)
                    throw Error(source, baseOffset + start, "A string is never closed");
                tokens.Add(new Token(TokenKind.String, markup[start..(closing + 1)], baseOffset + start, markup[(i + 1)..closing]));
                i = closing + 1;
            }
            else
            {
                var (kind, length) = c switch
                {
                    '.' when At(markup, i + 1) == '.' => (TokenKind.DotDot, 2),
                    '.' => (TokenKind.Dot, 1),
                    '|' => (TokenKind.Pipe, 1),
                    ':' => (TokenKind.Colon, 1),
                    ',' => (TokenKind.Comma, 1),
                    '[' => (TokenKind.LeftBracket, 1),
                    ']' => (TokenKind.RightBracket, 1),
                    '(' => (TokenKind.LeftParenthesis, 1),
                    ')' => (TokenKind.RightParenthesis, 1),
                    '=' when At(markup, i + 1) == '=' => (TokenKind.Comparison, 2),
                    '!' when At(markup, i + 1) == '=' => (TokenKind.Comparison, 2),
                    '<' when At(markup, i + 1) is '=' or '>' => (TokenKind.Comparison, 2),
                    '>' when At(markup, i + 1) == '=' => (TokenKind.Comparison, 2),
                    '<' or '>' => (TokenKind.Comparison, 1),
                    '=' => (TokenKind.Equals, 1),
                    _ => throw Error(source, baseOffset + start, $"Unexpected character '{c}'"),
                };
                tokens.Add(new Token(kind, markup.Substring(i, length), baseOffset + start));
                i += length;
            }
        }

        tokens.Add(new Token(TokenKind.End, "", baseOffset + markup.Length));
        return tokens;
    }

    /// <summary>The 1-based line and column of an offset.</summary>
    public static (int Line, int Column) Position(string source, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    public static LiquidParseException Error(string source, int offset, string message)
    {
        var (line, column) = Position(source, offset);
        return new LiquidParseException(message, line, column);
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static int NextDelimiter(string source, int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%')
                return i;
        }

        return -1;
    }

    // Skips quoted strings so that `{{ "}}" }}` closes where the author meant.
    private static int FindClose(string source, int from, string close)
    {
        for (var i = from; i < source.Length - 1; i++)
        {
            var c = source[i];
            if (c is '"' or '\'')
            {
                var end = source.IndexOf(c, i + 1);
                var nextClose = source.IndexOf(close, i + 1, StringComparison.Ordinal);
                // An apostrophe in prose (`{{ "it's" }}` is fine; `{% comment it's %}` is not a string) must not hide the close.
                if (end >= 0 && (nextClose < 0 || end < nextClose || source.IndexOf(close, end + 1, StringComparison.Ordinal) >= 0))
                {
                    i = end;
                    continue;
                }
            }

            if (c == close[0] && source[i + 1] == close[1])
                return i;
        }

        return -1;
    }

    private static (string Name, string Markup, int MarkupOffset) SplitTag(string content, int contentOffset)
    {
        var i = 0;
        while (i < content.Length && char.IsWhiteSpace(content[i]))
            i++;
        if (i < content.Length && content[i] == '#')
            return ("#", content[(i + 1)..], contentOffset + i + 1);
        var nameStart = i;
        while (i < content.Length && (char.IsLetterOrDigit(content[i]) || content[i] == '_'))
            i++;
        return (content[nameStart..i], content[i..], contentOffset + i);
    }

    private static void ApplyTrimming(List<Segment> segments)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Kind == SegmentKind.Text)
                continue;
            if (segment.TrimBefore && i > 0 && segments[i - 1] is { Kind: SegmentKind.Text, TagName: not "raw" } before)
                before.Content = before.Content.TrimEnd();
            if (segment.TrimAfter && i + 1 < segments.Count && segments[i + 1] is { Kind: SegmentKind.Text, TagName: not "raw" } after)
                after.Content = after.Content.TrimStart();
        }
    }

    [GeneratedRegex(@"\{%(?<before>-)?\s*endraw\s*(?<after>-)?%\}")]
    private static partial Regex EndRaw();

    [GeneratedRegex(@"\{%(?<before>-)?\s*endcomment\s*(?<after>-)?%\}")]
    private static partial Regex EndComment();
}

internal enum TokenKind
{
    Identifier,
    String,
    Number,
    Dot,
    DotDot,
    Pipe,
    Colon,
    Comma,
    LeftBracket,
    RightBracket,
    LeftParenthesis,
    RightParenthesis,
    Comparison,
    Equals,
    End,
}

/// <summary>One token of tag or output markup; <see cref="Value"/> holds a string's or number's value.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Offset, object? Value = null);
