using System.Text;

namespace Feedback.Activities.Classification;

/// <summary>Brings feedback text and rule terms to one comparable form before substring matching.</summary>
/// <remarks>
/// NFKC folds full-width letters, digits and punctuation (ＳＷＯＬＬＥＮ, ３１５, ，) to their ordinary forms; then
/// lower case, traditional → simplified Chinese, one kind of apostrophe, single spaces, and hyphens between words
/// as spaces. English "n't" becomes " not" so one negation cue and one "not received" term cover every contraction.
/// </remarks>
public static class TextNormalizer
{
    /// <summary>The normalized form of <paramref name="text"/>; empty for null or blank input.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return string.Empty;
        // Normalize outright: checking IsNormalized first costs more than normalizing short texts.
        var folded = text.Normalize(NormalizationForm.FormKC);
        // Collapsing spaces never lengthens the text, so the folded length is enough.
        var buffer = folded.Length <= 1024 ? stackalloc char[folded.Length] : new char[folded.Length];
        var length = 0;
        var pendingSpace = false;
        foreach (var raw in folded)
        {
            var c = raw;
            if (char.IsWhiteSpace(c) || c is '\u200B' or '\u200C' or '\u200D' or '\uFEFF')
            {
                // Zero-width characters split words invisibly; treating them as space keeps "not\u200Bworking" matchable.
                pendingSpace = length > 0;
                continue;
            }
            if (c is '\u2018' or '\u2019' or '\u02BC' or '`') c = '\'';
            c = c switch
            {
                >= 'A' and <= 'Z' => (char)(c + 32),
                < '\u0080' => c,
                >= '\u3000' => ChineseVariants.ToSimplified(c),
                _ => char.ToLowerInvariant(c),
            };
            if (pendingSpace) buffer[length++] = ' ';
            pendingSpace = false;
            buffer[length++] = c;
        }
        // "out-of-date" and "out of date", "ring-pull" and "ring pull" are the same words to a reader.
        for (var i = 1; i < length - 1; i++)
            if (buffer[i] == '-' && IsWordChar(buffer[i - 1]) && IsWordChar(buffer[i + 1])) buffer[i] = ' ';
        var normalized = new string(buffer[..length]);
        return normalized.Contains("n't", StringComparison.Ordinal) ? ExpandNegativeContractions(normalized) : normalized;
    }

    /// <summary>True for the characters that make up English words and numbers (the boundaries of ASCII terms).</summary>
    internal static bool IsWordChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static string ExpandNegativeContractions(string text)
    {
        var builder = new StringBuilder(text, text.Length + 16);
        for (var i = builder.Length - 3; i >= 1; i--)
        {
            if (builder[i] != 'n' || builder[i + 1] != '\'' || builder[i + 2] != 't' || !IsWordChar(builder[i - 1])) continue;
            if (i + 3 < builder.Length && IsWordChar(builder[i + 3])) continue;
            // "can't" and "won't" would otherwise leave "ca" and "wo" behind; the stem matters less than the "not".
            builder.Remove(i, 3).Insert(i, " not");
        }
        return builder.ToString();
    }
}
