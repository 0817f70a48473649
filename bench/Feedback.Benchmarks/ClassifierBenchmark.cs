using System.Diagnostics;
using Feedback.Activities.Classification;

namespace Feedback.Benchmarks;

/// <summary>
/// Throughput of <c>FeedbackClassifier.Default.Classify</c> on one thread over the labelled text mix, as a ratio
/// against a naive scan done in the same run.
/// </summary>
/// <remarks>
/// The baseline normalizes each text the same way and then calls <c>string.Contains</c> once per distinct rule term:
/// the obvious way to find which rule terms occur. It does less than the classifier (no word boundaries, overlap
/// resolution, negation or scoring, no evidence list), so a ratio above 1 means the term index more than pays for
/// the extra work. Rounds alternate between the two so that drift on a shared machine hits both alike; the median
/// round counts.
/// </remarks>
internal static class ClassifierBenchmark
{
    private const double TargetTextsPerSecond = 10_000;

    public static Task<int> RunAsync(BenchOptions options)
    {
        var roundTime = options.Seconds("seconds", 1);
        var rounds = options.Int("rounds", 5);
        options.RejectUnknown();

        var samples = FeedbackMix.Load();
        var classifier = FeedbackClassifier.Default;
        var terms = RuleTerms(ClassificationRules.Default);
        var inputs = samples.Select(s => (s.Text, s.Title)).ToArray();

        var classify = () =>
        {
            var evidence = 0;
            foreach (var (text, title) in inputs) evidence += classifier.Classify(text, title).Evidence.Count;
            return evidence;
        };
        var naive = () =>
        {
            var hits = 0;
            foreach (var (text, title) in inputs)
            {
                var normalized = TextNormalizer.Normalize(string.IsNullOrWhiteSpace(title) ? text : title + "。" + text);
                foreach (var term in terms)
                    if (normalized.Contains(term, StringComparison.Ordinal)) hits++;
            }
            return hits;
        };

        // Tiered JIT settles on optimized code only after a few thousand calls.
        Measure(classify, inputs.Length, TimeSpan.FromSeconds(1));
        Measure(naive, inputs.Length, TimeSpan.FromSeconds(1));
        var classifierRounds = new List<Round>();
        var naiveRounds = new List<Round>();
        for (var r = 0; r < rounds; r++)
        {
            classifierRounds.Add(Measure(classify, inputs.Length, roundTime));
            naiveRounds.Add(Measure(naive, inputs.Length, roundTime));
        }

        var classifierRate = Median(classifierRounds.Select(x => x.TextsPerSecond));
        var naiveRate = Median(naiveRounds.Select(x => x.TextsPerSecond));
        new Report("classifier")
            .Add("texts", "texts in the mix (zh-CN, zh-TW, en)", inputs.Length, "", 0)
            .Add("meanChars", "mean text length", inputs.Average(i => i.Text.Length + (i.Title?.Length ?? 0)), "chars")
            .Add("ruleTerms", "distinct rule terms (baseline scans each)", terms.Length, "", 0)
            .Add("rounds", "rounds (median counts)", rounds, $"x {roundTime.TotalSeconds:0.#} s each, one thread", 0)
            .Add("textsPerSecond", "classifier", classifierRate, "texts/s", 0)
            .Add("textsPerSecondMin", "classifier, slowest round", classifierRounds.Min(x => x.TextsPerSecond), "texts/s", 0)
            .Add("microsecondsPerText", "classifier, time per text", 1e6 / classifierRate, "µs")
            .Add("bytesPerText", "classifier, allocated per text", Median(classifierRounds.Select(x => x.BytesPerText)), "bytes", 0)
            .Add("baselineTextsPerSecond", "baseline: normalize + string.Contains per term", naiveRate, "texts/s", 0)
            .Add("ratio", "classifier / baseline", classifierRate / naiveRate, "x", 2)
            .Target("target", $"at least {TargetTextsPerSecond:N0} texts/s", classifierRate >= TargetTextsPerSecond)
            .Print();
        return Task.FromResult(0);
    }

    /// <summary>Every distinct normalized term the classifier indexes, so the baseline looks for exactly as many.</summary>
    private static string[] RuleTerms(ClassificationRules rules)
    {
        var lists = rules.Categories.SelectMany(c => c.Groups).Cast<TermList>()
            .Concat(rules.Triggers)
            .Append(rules.Ignore)
            .Append(rules.Negation.Cues).Append(rules.Negation.Fillers).Append(rules.Negation.Exceptions);
        return lists.SelectMany(l => l.AllTerms()).Select(TextNormalizer.Normalize).Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal).ToArray();
    }

    private sealed record Round(double TextsPerSecond, double BytesPerText);

    /// <summary>Whole passes over the mix until <paramref name="time"/> is up.</summary>
    private static Round Measure(Func<int> pass, int textsPerPass, TimeSpan time)
    {
        var checksum = 0;
        var passes = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < time)
        {
            checksum += pass();
            passes++;
        }
        var elapsed = clock.Elapsed;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        // The checksum keeps the work observable, so no part of it can be optimized away.
        if (checksum == int.MinValue) Console.WriteLine(checksum);
        var texts = (double)passes * textsPerPass;
        return new Round(texts / elapsed.TotalSeconds, allocated / texts);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
