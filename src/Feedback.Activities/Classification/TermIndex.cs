namespace Feedback.Activities.Classification;

/// <summary>
/// Normalized terms indexed by their first two and last two characters: finding every term in a text costs a couple
/// of dictionary probes per character plus a comparison per candidate, a few microseconds per text.
/// </summary>
/// <remarks>
/// Word boundaries apply to English and numbers only (Chinese has none to check): a term that starts with a letter or
/// digit must start a word, one that ends with a digit must end the number ("315" is not "3150"), and short English
/// terms (three letters or fewer: "sue", "ad", "no") must be whole words so they do not fire inside "issue" or "add".
/// </remarks>
internal sealed class TermIndex<T>
{
    // Keyed by two characters: keying by one letter would leave dozens of English candidates at every position.
    private readonly Dictionary<int, Entry[]> _byFirst;
    private readonly Dictionary<int, Entry[]> _byLast;
    private readonly Dictionary<char, Entry> _singles;
    private readonly int _maxLength;

    public TermIndex(IEnumerable<(string Term, T Value)> terms)
    {
        var entries = terms.Where(t => t.Term.Length > 0)
            .GroupBy(t => t.Term, StringComparer.Ordinal)
            .Select(g => new Entry(g.Key, g.First().Value, NeedsEndBoundary(g.Key)))
            .OrderByDescending(e => e.Term.Length).ThenBy(e => e.Term, StringComparer.Ordinal)
            .ToList();
        var longer = entries.Where(e => e.Term.Length > 1).ToList();
        _byFirst = longer.GroupBy(e => Key(e.Term[0], e.Term[1])).ToDictionary(g => g.Key, g => g.ToArray());
        _byLast = longer.GroupBy(e => Key(e.Term[^2], e.Term[^1])).ToDictionary(g => g.Key, g => g.ToArray());
        _singles = entries.Where(e => e.Term.Length == 1).ToDictionary(e => e.Term[0]);
        _maxLength = entries.Count == 0 ? 0 : entries[0].Term.Length;
    }

    /// <summary>Every occurrence in <paramref name="text"/>, by position; longer terms first at the same position.</summary>
    /// <param name="overlap">
    /// Which occurrences to skip: inside a longer one ("没收到" is not also "收到"), or also overlapping an earlier one
    /// ("太贵了" is "太贵", not also "贵了").
    /// </param>
    public List<(int Start, int Length, T Value)> FindAll(string text, Overlap overlap)
    {
        var found = new List<(int, int, T)>();
        var coveredTo = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && _byFirst.TryGetValue(Key(text[i], text[i + 1]), out var longer))
                foreach (var entry in longer) Collect(entry, i);
            if (_singles.TryGetValue(text[i], out var single)) Collect(single, i);
        }
        return found;

        void Collect(Entry entry, int i)
        {
            if (!Matches(text, i, entry)) return;
            var end = i + entry.Term.Length;
            // Earlier or equal starts are all processed, so anything ending before coveredTo sits inside a kept match.
            if (end <= coveredTo || (overlap == Overlap.DropOverlapping && i < coveredTo)) return;
            found.Add((i, entry.Term.Length, entry.Value));
            coveredTo = Math.Max(coveredTo, end);
        }
    }

    /// <summary>The length of the longest term that ends exactly at <paramref name="end"/>, or 0.</summary>
    public int EndsAt(string text, int end)
    {
        if (end <= 0) return 0;
        if (end >= 2 && _byLast.TryGetValue(Key(text[end - 2], text[end - 1]), out var longer))
            foreach (var entry in longer)
                if (end - entry.Term.Length >= 0 && Matches(text, end - entry.Term.Length, entry)) return entry.Term.Length;
        return _singles.TryGetValue(text[end - 1], out var single) && Matches(text, end - 1, single) ? 1 : 0;
    }

    /// <summary>True when one occurrence of a term spans the whole of <c>[start, end)</c>.</summary>
    public bool Covers(string text, int start, int end)
    {
        if (end - start == 1 && _singles.TryGetValue(text[start], out var single) && Matches(text, start, single)) return true;
        for (var s = Math.Max(0, end - _maxLength); s <= start && s + 1 < text.Length; s++)
        {
            if (!_byFirst.TryGetValue(Key(text[s], text[s + 1]), out var candidates)) continue;
            foreach (var entry in candidates)
                if (s + entry.Term.Length >= end && Matches(text, s, entry)) return true;
        }
        return false;
    }

    private static bool Matches(string text, int start, Entry entry)
    {
        var term = entry.Term;
        if (!text.AsSpan(start).StartsWith(term, StringComparison.Ordinal)) return false;
        if (TextNormalizer.IsWordChar(term[0]) && start > 0 && TextNormalizer.IsWordChar(text[start - 1])) return false;
        var end = start + term.Length;
        return !entry.NeedsEndBoundary || end >= text.Length || !TextNormalizer.IsWordChar(text[end]);
    }

    private static int Key(char first, char second) => (first << 16) | second;

    private static bool NeedsEndBoundary(string term) =>
        char.IsAsciiDigit(term[^1]) || (term.Length <= 3 && term.All(TextNormalizer.IsWordChar));

    private sealed record Entry(string Term, T Value, bool NeedsEndBoundary);
}

/// <summary>Which overlapping occurrences <see cref="TermIndex{T}.FindAll"/> keeps.</summary>
internal enum Overlap
{
    /// <summary>Drop occurrences that lie inside a longer one.</summary>
    DropContained,
    /// <summary>Also drop occurrences that start inside an earlier one (leftmost-longest, like reading).</summary>
    DropOverlapping,
}
