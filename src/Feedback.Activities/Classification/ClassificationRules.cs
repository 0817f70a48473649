using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Feedback.Activities.Cases;

namespace Feedback.Activities.Classification;

/// <summary>
/// The editable knowledge behind <see cref="FeedbackClassifier"/>: weighted terms per category, severity triggers,
/// negation cues and ignore phrases. Plain JSON; the format is described in Classification/README.md.
/// </summary>
public sealed class ClassificationRules
{
    /// <summary>Categories in tie-break order: on equal scores the one listed first wins.</summary>
    public List<CategoryRule> Categories { get; set; } = [];

    /// <summary>Terms that raise severity to A or B whatever the category; food-safety triggers also force a category.</summary>
    public List<SeverityTrigger> Triggers { get; set; } = [];

    /// <summary>Phrases that match and count for nothing, so that terms inside them do not fire ("优惠券过期", "工商银行").</summary>
    public TermList Ignore { get; set; } = new();

    public NegationRule Negation { get; set; } = new();

    /// <summary>The category when no term matched at all.</summary>
    public string FallbackCategory { get; set; } = nameof(FeedbackCategory.Other);

    /// <summary>The category a food-safety signal forces.</summary>
    public string FoodSafetyCategory { get; set; } = nameof(FeedbackCategory.ProductQuality);

    /// <summary>Added to the best score when computing confidence, so that one weak term is not a certainty.</summary>
    public double ConfidenceSmoothing { get; set; } = 1;

    /// <summary>The shipped rules (a fresh copy each time, safe to modify).</summary>
    public static ClassificationRules Default => Parse(DefaultClassificationRules.Json);

    /// <summary>The shipped rules as JSON, a starting point for an admin's override.</summary>
    public static string DefaultJson => DefaultClassificationRules.Json;

    /// <summary>Reads and validates rules JSON (comments and trailing commas allowed, unknown properties rejected).</summary>
    /// <exception cref="FormatException">The JSON is malformed or the rules are inconsistent; the message says where.</exception>
    public static ClassificationRules Parse(string json)
    {
        ClassificationRules? rules;
        try
        {
            rules = JsonSerializer.Deserialize<ClassificationRules>(json, ReadOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new FormatException($"Classification rules are not valid JSON{where}: {e.Message}", e);
        }
        if (rules is null) throw new FormatException("Classification rules are empty (the JSON is null).");
        rules.Validate();
        return rules;
    }

    /// <summary>The rules as indented JSON, as an admin would edit them.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Checks the rules for mistakes the classifier cannot work around.</summary>
    /// <exception cref="FormatException">Lists every problem found.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Categories is null || Categories.Count == 0) problems.Add("'categories' must list at least one category");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (category, i) in (Categories ?? []).Select((c, i) => (c, i)))
        {
            if (category is null) { problems.Add($"categories[{i}] is null"); continue; }
            if (string.IsNullOrWhiteSpace(category.Name)) problems.Add($"categories[{i}] has no 'name'");
            else if (!names.Add(category.Name)) problems.Add($"category '{category.Name}' is defined twice");
            foreach (var (group, j) in (category.Groups ?? []).Select((g, j) => (g, j)))
            {
                if (group is null) problems.Add($"category '{category.Name}' groups[{j}] is null");
                else if (!double.IsFinite(group.Weight) || group.Weight < 0) problems.Add($"category '{category.Name}' groups[{j}] has weight {group.Weight}; use a number ≥ 0");
            }
        }
        if (!names.Contains(FallbackCategory ?? "")) problems.Add($"'fallbackCategory' '{FallbackCategory}' is not one of the categories");
        if (!names.Contains(FoodSafetyCategory ?? "")) problems.Add($"'foodSafetyCategory' '{FoodSafetyCategory}' is not one of the categories");
        foreach (var (trigger, i) in (Triggers ?? []).Select((t, i) => (t, i)))
        {
            if (trigger is null) problems.Add($"triggers[{i}] is null");
            else if (string.IsNullOrWhiteSpace(trigger.Name)) problems.Add($"triggers[{i}] has no 'name'");
        }
        if (Negation is { } negation)
        {
            if (negation.MaxFillers is < 0 or > 5) problems.Add($"'negation.maxFillers' is {negation.MaxFillers}; use 0 to 5");
            if (!double.IsFinite(negation.WeightFactor) || negation.WeightFactor is < 0 or > 1) problems.Add($"'negation.weightFactor' is {negation.WeightFactor}; use 0 to 1");
        }
        if (!double.IsFinite(ConfidenceSmoothing) || ConfidenceSmoothing < 0) problems.Add($"'confidenceSmoothing' is {ConfidenceSmoothing}; use a number ≥ 0");
        if (problems.Count > 0) throw new FormatException("Classification rules are invalid: " + string.Join("; ", problems) + ".");
    }

    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt property would otherwise silently drop an admin's terms.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions WriteOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}

/// <summary>Terms in the three scripts feedback arrives in; all lists are matched against every text.</summary>
public class TermList
{
    /// <summary>Simplified Chinese.</summary>
    public List<string> ZhHans { get; set; } = [];
    /// <summary>Traditional Chinese; only wording that differs needs listing, characters are converted anyway.</summary>
    public List<string> ZhHant { get; set; } = [];
    /// <summary>English: case-insensitive, matched from the start of a word (mould matches mouldy, not ammould).</summary>
    public List<string> En { get; set; } = [];

    /// <summary>Every term of the three lists.</summary>
    public IEnumerable<string> AllTerms() => (ZhHans ?? []).Concat(ZhHant ?? []).Concat(En ?? []);
}

/// <summary>Terms that count <see cref="Weight"/> towards a category each time one occurs.</summary>
public sealed class TermGroup : TermList
{
    public double Weight { get; set; } = 1;
}

/// <summary>One category and the weighted terms that speak for it.</summary>
public sealed class CategoryRule
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public List<TermGroup> Groups { get; set; } = [];
}

/// <summary>Terms that raise the severity of any feedback that contains one of them.</summary>
public sealed class SeverityTrigger : TermList
{
    /// <summary>Why the severity was raised, as shown in the evidence (FoodSafety, Injury, Legal, Media, Defect...).</summary>
    public string Name { get; set; } = "";
    public Severity Severity { get; set; } = Severity.A;
    /// <summary>Marks a food-safety signal: severity A and the food-safety category, whatever else the text says.</summary>
    public bool FoodSafety { get; set; }
}

/// <summary>How a negation cue right before a term ("不是", "没有", "not", "no") weakens it.</summary>
public sealed class NegationRule
{
    /// <summary>Words that negate the term right after them.</summary>
    public TermList Cues { get; set; } = new();
    /// <summary>Words allowed between cue and term without breaking the negation ("没有<b>发现</b>异物", "not <b>really</b> rusty").</summary>
    public TermList Fillers { get; set; } = new();
    /// <summary>Phrases that contain a cue but do not negate: questions and set phrases ("是不是", "有没有", "not only").</summary>
    public TermList Exceptions { get; set; } = new();
    public int MaxFillers { get; set; } = 2;
    /// <summary>
    /// What a negated category term still counts (0..1). Not zero by default: "没有物流信息" and "no refund" are still
    /// about delivery and refunds, while "不是质量问题" should only tip the balance. Negated triggers never fire.
    /// </summary>
    public double WeightFactor { get; set; } = 0.5;
}
