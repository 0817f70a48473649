using Feedback.Activities.Cases;

namespace Feedback.Activities.Classification;

/// <summary>
/// Classifies feedback text by weighted substring rules: category, severity A/B/C, confidence and food-safety flag.
/// Immutable once built, so one instance serves every thread; deterministic for a given text and rule set.
/// </summary>
public sealed class FeedbackClassifier
{
    private readonly string[] _categories;
    private readonly int _fallback;
    private readonly int _foodSafetyCategory;
    private readonly TermIndex<Effect[]> _categoryTerms;
    private readonly TermIndex<Effect[]> _triggerTerms;
    private readonly TermIndex<bool> _cues;
    private readonly TermIndex<bool> _fillers;
    private readonly TermIndex<bool> _exceptions;
    private readonly int _maxFillers;
    private readonly double _negatedWeightFactor;
    private readonly double _confidenceSmoothing;

    /// <summary>Compiles <paramref name="rules"/>; later changes to the object do not affect this classifier.</summary>
    /// <exception cref="FormatException">The rules are invalid.</exception>
    public FeedbackClassifier(ClassificationRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        rules.Validate();
        _categories = rules.Categories.Select(c => c.Name).ToArray();
        _fallback = Array.IndexOf(_categories, rules.FallbackCategory);
        _foodSafetyCategory = Array.IndexOf(_categories, rules.FoodSafetyCategory);

        var categoryTerms = new List<(string, Effect?)>();
        for (var c = 0; c < _categories.Length; c++)
            foreach (var group in rules.Categories[c].Groups ?? [])
                categoryTerms.AddRange(group.AllTerms().Select(t => (t, (Effect?)new Effect(t, c, null, group.Weight))));
        var triggerTerms = (rules.Triggers ?? [])
            .SelectMany(g => g.AllTerms().Select(t => (t, (Effect?)new Effect(t, -1, new Trigger(g.Name, g.Severity, g.FoodSafety), 0))))
            .ToList();
        // Ignore phrases enter both indexes without effects: they only hide the terms inside them.
        var ignore = (rules.Ignore?.AllTerms() ?? []).Select(t => (t, (Effect?)null)).ToList();
        // Two indexes, so that a trigger phrase ("no refund") does not hide the category term inside it ("refund").
        _categoryTerms = Compile(categoryTerms.Concat(ignore));
        _triggerTerms = Compile(triggerTerms.Concat(ignore));
        _cues = Compile(rules.Negation?.Cues);
        _fillers = Compile(rules.Negation?.Fillers);
        _exceptions = Compile(rules.Negation?.Exceptions);
        _maxFillers = rules.Negation?.MaxFillers ?? 0;
        _negatedWeightFactor = rules.Negation?.WeightFactor ?? 0;
        _confidenceSmoothing = rules.ConfidenceSmoothing;
    }

    private static TermIndex<bool> Compile(TermList? terms) =>
        new((terms?.AllTerms() ?? []).Select(t => (TextNormalizer.Normalize(t), true)));

    private static TermIndex<Effect[]> Compile(IEnumerable<(string Term, Effect? Effect)> terms)
    {
        var effects = new Dictionary<string, List<Effect>>(StringComparer.Ordinal);
        foreach (var (term, effect) in terms)
        {
            var key = TextNormalizer.Normalize(term);
            if (key.Length == 0) continue;
            if (!effects.TryGetValue(key, out var list)) effects[key] = list = [];
            if (effect is null) continue;
            // The same term listed twice for one category (say in both scripts) counts once, at its highest weight.
            var same = list.FindIndex(e => e.Category == effect.Category && e.Trigger == effect.Trigger);
            if (same < 0) list.Add(effect);
            else if (effect.Weight > list[same].Weight) list[same] = effect;
        }
        return new TermIndex<Effect[]>(effects.Select(kv => (kv.Key, kv.Value.ToArray())));
    }

    /// <summary>A classifier with the shipped rules.</summary>
    public static FeedbackClassifier Default { get; } = new(ClassificationRules.Default);

    /// <summary>A classifier for rules JSON; <see cref="Default"/> when <paramref name="rulesJson"/> is blank.</summary>
    /// <exception cref="FormatException">The JSON is malformed or the rules are invalid.</exception>
    public static FeedbackClassifier FromJson(string? rulesJson) =>
        string.IsNullOrWhiteSpace(rulesJson) ? Default : new FeedbackClassifier(ClassificationRules.Parse(rulesJson));

    /// <summary>Classifies one piece of feedback; the title, when given, is read as part of the text.</summary>
    public FeedbackClassification Classify(string? text, string? title = null)
    {
        // The full stop keeps a negation at the end of the title from reaching into the text.
        var normalized = TextNormalizer.Normalize(string.IsNullOrWhiteSpace(title) ? text : title + "。" + text);
        var scores = new double[_categories.Length];
        var categoryEvidence = new List<(int Start, ClassificationEvidence Item)>();
        var triggerEvidence = new List<(int Start, ClassificationEvidence Item)>();
        var severity = Severity.C;
        var foodSafety = false;

        foreach (var (start, _, matched) in _categoryTerms.FindAll(normalized, Overlap.DropOverlapping))
        {
            if (matched.Length == 0) continue;
            var negated = IsNegated(normalized, start);
            foreach (var effect in matched)
            {
                var weight = negated ? effect.Weight * _negatedWeightFactor : effect.Weight;
                scores[effect.Category] += weight;
                categoryEvidence.Add((start, new ClassificationEvidence(effect.Term, _categories[effect.Category], null, null, weight, negated)));
            }
        }
        foreach (var (start, _, matched) in _triggerTerms.FindAll(normalized, Overlap.DropContained))
        {
            if (matched.Length == 0) continue;
            var negated = IsNegated(normalized, start);
            foreach (var effect in matched)
            {
                var trigger = effect.Trigger!;
                triggerEvidence.Add((start, new ClassificationEvidence(effect.Term, null, trigger.Name, trigger.Severity, 0, negated)));
                if (negated) continue;
                if (trigger.Severity < severity) severity = trigger.Severity;
                foodSafety |= trigger.FoodSafety;
            }
        }

        var (best, confidence) = Decide(scores);
        if (foodSafety)
        {
            // Food safety is a policy rule, not a guess: whatever else the text is about, it goes first.
            best = _foodSafetyCategory;
            severity = Severity.A;
            confidence = 1;
        }
        var scoreMap = new Dictionary<string, double>(_categories.Length, StringComparer.Ordinal);
        for (var c = 0; c < _categories.Length; c++) scoreMap[_categories[c]] = scores[c];
        var ordered = Merge(categoryEvidence, triggerEvidence);
        return new FeedbackClassification(_categories[best], severity, confidence, foodSafety, ordered, scoreMap);
    }

    /// <summary>Both evidence lists are already in text order; merging keeps category terms first at equal positions.</summary>
    private static List<ClassificationEvidence> Merge(List<(int Start, ClassificationEvidence Item)> a, List<(int Start, ClassificationEvidence Item)> b)
    {
        var merged = new List<ClassificationEvidence>(a.Count + b.Count);
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
            merged.Add(j >= b.Count || (i < a.Count && a[i].Start <= b[j].Start) ? a[i++].Item : b[j++].Item);
        return merged;
    }

    /// <summary>The best category (earlier wins ties) and the margin over the runner-up, smoothed and scaled to 0..1.</summary>
    private (int Best, double Confidence) Decide(double[] scores)
    {
        int best = -1, second = -1;
        for (var c = 0; c < scores.Length; c++)
        {
            if (best < 0 || scores[c] > scores[best]) { second = best; best = c; }
            else if (second < 0 || scores[c] > scores[second]) second = c;
        }
        if (best < 0 || scores[best] <= 0) return (_fallback, 0);
        var runnerUp = second < 0 ? 0 : scores[second];
        var confidence = (scores[best] - runnerUp) / (scores[best] + _confidenceSmoothing);
        return (best, Math.Clamp(confidence, 0, 1));
    }

    /// <summary>True when a negation cue ends right before <paramref name="start"/>, allowing a few filler words between.</summary>
    private bool IsNegated(string text, int start)
    {
        var position = start;
        for (var fillers = 0; ; fillers++)
        {
            while (position > 0 && text[position - 1] == ' ') position--;
            if (position == 0) return false;
            var cue = _cues.EndsAt(text, position);
            // "是不是变质了" asks rather than denies: a cue inside an exception phrase does not negate.
            if (cue > 0) return !_exceptions.Covers(text, position - cue, position);
            var filler = fillers < _maxFillers ? _fillers.EndsAt(text, position) : 0;
            if (filler == 0) return false;
            position -= filler;
        }
    }

    /// <summary>What one matched term does: score for a category (index ≥ 0) or fire a trigger.</summary>
    private sealed record Effect(string Term, int Category, Trigger? Trigger, double Weight);

    /// <summary>A copy of a <see cref="SeverityTrigger"/>'s settings, so that edits to the rules object change nothing here.</summary>
    private sealed record Trigger(string Name, Severity Severity, bool FoodSafety);
}
