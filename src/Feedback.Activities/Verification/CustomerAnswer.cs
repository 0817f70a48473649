namespace Feedback.Activities.Verification;

/// <summary>
/// What the customer said about the rectification: a 1-5 rating (from a survey or a callback form), a callback result
/// typed by staff ("Unsatisfied: the smell is still there"), or both when they agree.
/// </summary>
/// <param name="Rating">1 (very unsatisfied) to 5 (very satisfied); null when only a callback result was given.</param>
public sealed record CustomerAnswer(bool Satisfied, int? Rating, string? Comment)
{
    /// <summary>The lowest rating that counts as satisfied.</summary>
    public const int SatisfiedFrom = 4;

    private static readonly (string Word, bool Satisfied)[] Words =
    [
        ("Unsatisfied", false), ("Dissatisfied", false), ("Not satisfied", false), ("不满意", false), ("不滿意", false),
        ("Satisfied", true), ("满意", true), ("滿意", true),
    ];

    private static readonly char[] Separators = [':', '：', '-', '–', '—', ',', '，', ';', '；', '.', '。', ' ', '\t', '\r', '\n'];

    /// <summary>Combines a rating and a callback result into one answer.</summary>
    /// <exception cref="FormatException">Neither is given, the rating is outside 1-5, the callback result is not
    /// "Satisfied"/"Unsatisfied" with an optional comment, or the two disagree.</exception>
    public static CustomerAnswer From(int? rating, string? callbackResult, string? comment)
    {
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (rating is < 1 or > 5)
            throw new FormatException($"Input 'Rating': {rating} is not a rating; ratings run from 1 (very unsatisfied) to 5 (very satisfied).");
        (bool Satisfied, string? Comment)? callback = string.IsNullOrWhiteSpace(callbackResult) ? null : ParseCallback(callbackResult.Trim());
        if (rating is null && callback is null)
            throw new FormatException("Inputs 'Rating' and 'CallbackResult' are both empty: record the customer's answer as a rating (1-5) or as 'Satisfied' or 'Unsatisfied' with a comment.");
        var byRating = rating >= SatisfiedFrom;
        if (rating is not null && callback is not null && callback.Value.Satisfied != byRating)
            throw new FormatException($"Inputs 'Rating' ({rating}) and 'CallbackResult' ('{callbackResult!.Trim()}') disagree: a rating of {SatisfiedFrom} or more means satisfied.");
        return new CustomerAnswer(callback?.Satisfied ?? byRating, rating, comment ?? callback?.Comment);
    }

    /// <summary>
    /// The answer in words for the append-only case history: rating and verdict, and whether there is a comment, never the
    /// comment itself (the customer's words go on the case, where anonymisation removes them).
    /// </summary>
    public string Summary =>
        (Rating is { } r ? $"rating {r}/5, " : "") + (Satisfied ? "satisfied" : "unsatisfied") + (Comment is null ? "" : ", with a comment on the case");

    /// <exception cref="FormatException">The text does not start with a known answer word.</exception>
    private static (bool Satisfied, string? Comment) ParseCallback(string text)
    {
        foreach (var (word, satisfied) in Words)
        {
            if (!text.StartsWith(word, StringComparison.OrdinalIgnoreCase)) continue;
            var rest = text[word.Length..];
            // "Satisfiedly" is not "Satisfied"; Chinese has no word boundary to check ("满意了" is fine).
            if (word[0] < 128 && rest.Length > 0 && char.IsLetter(rest[0])) continue;
            var remark = rest.TrimStart(Separators).Trim();
            return (satisfied, remark.Length == 0 ? null : remark);
        }
        throw new FormatException($"Input 'CallbackResult': '{text}' does not start with Satisfied or Unsatisfied (满意/不满意); write e.g. 'Unsatisfied: the smell is still there'.");
    }
}
