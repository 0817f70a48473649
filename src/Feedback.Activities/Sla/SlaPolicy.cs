using System.Text.Json;
using System.Text.Json.Serialization;
using Feedback.Activities.Cases;

namespace Feedback.Activities.Sla;

/// <summary>The case clocks every policy can set a target for; flows may run clocks of other names beside them.</summary>
public static class SlaClockNames
{
    public const string Acknowledgement = "Acknowledgement";
    public const string Classification = "Classification";
    public const string Assignment = "Assignment";
    public const string Plan = "Plan";
    public const string Resolution = "Resolution";
    public const string Reply = "Reply";

    public static readonly IReadOnlyList<string> All = [Acknowledgement, Classification, Assignment, Plan, Resolution, Reply];
}

/// <summary>Whether a target counts working time on the case's calendar or every minute.</summary>
public enum SlaBasis { Working, Calendar }

/// <summary>
/// One target: <paramref name="Within"/> is <c>d.hh:mm:ss</c>; in working time its days are working days of the case's
/// calendar (<see cref="WorkingCalendar.StandardDay"/>) and its hours working hours.
/// </summary>
public sealed record SlaTarget(string Clock, TimeSpan Within, SlaBasis Basis = SlaBasis.Working);

/// <summary>Targets for cases of a category and severity; an empty category or severity matches any.</summary>
public sealed record SlaPolicy(FeedbackCategory? Category, Severity? Severity, List<SlaTarget> Targets);

/// <summary>
/// The company's SLA policies, as admins keep them (JSON, see <c>workflows/sla/policies.json</c>). For each clock the
/// most specific policy with a target for it wins: category and severity, then category, then severity, then the
/// default policy (neither), which is required; except that for severity A a severity policy comes before a category
/// policy, so a category's own pace (suggestions may take weeks) never slows down an injury, legal, media or
/// food-safety case.
/// </summary>
public sealed record SlaPolicyDocument(List<SlaPolicy> Policies)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
    };

    /// <summary>No policies: no case has clocks.</summary>
    public static SlaPolicyDocument Empty { get; } = new([]);

    /// <summary>The target of a clock for a case of this category and severity, or null when no policy sets one.</summary>
    public SlaTarget? TargetFor(string clock, FeedbackCategory? category, Severity? severity) =>
        Policies
            .Where(p => (p.Category is null || p.Category == category) && (p.Severity is null || p.Severity == severity))
            .OrderByDescending(Precedence)
            .SelectMany(p => p.Targets.Where(t => t.Clock == clock))
            .FirstOrDefault();

    private static int Precedence(SlaPolicy policy) => (policy.Category, policy.Severity) switch
    {
        (not null, not null) => 4,
        (null, Severity.A) => 3,
        (not null, null) => 2,
        (null, not null) => 1,
        _ => 0,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="FormatException">Not a valid policy document; the message lists every problem.</exception>
    public static SlaPolicyDocument Parse(string json)
    {
        SlaPolicyDocument? document;
        try { document = JsonSerializer.Deserialize<SlaPolicyDocument>(json, Json); }
        catch (JsonException e) { throw new FormatException($"The SLA policies are not valid: {e.Message}", e); }
        if (document?.Policies is null) throw new FormatException("The SLA policies need a 'policies' list.");
        var errors = new List<string>();
        var seen = new HashSet<(FeedbackCategory?, Severity?)>();
        for (var i = 0; i < document.Policies.Count; i++)
        {
            var policy = document.Policies[i];
            if (policy is null) { errors.Add($"policies[{i}]: empty."); continue; }
            if (!seen.Add((policy.Category, policy.Severity)))
                errors.Add($"policies[{i}]: a second policy for category {policy.Category?.ToString() ?? "any"}, severity {policy.Severity?.ToString() ?? "any"}.");
            var clocks = new HashSet<string>();
            foreach (var target in policy.Targets ?? [])
            {
                if (target is null || !SlaClockNames.All.Contains(target.Clock))
                    errors.Add($"policies[{i}]: '{target?.Clock}' is not a clock; use {string.Join(", ", SlaClockNames.All)}.");
                else if (!clocks.Add(target.Clock)) errors.Add($"policies[{i}]: two targets for {target.Clock}.");
                else if (target.Within <= TimeSpan.Zero) errors.Add($"policies[{i}].{target.Clock}: 'within' must be positive.");
            }
        }
        if (document.Policies.Count > 0 && !seen.Contains((null, null)))
            errors.Add("A default policy (no category, no severity) is required, so that every case has its targets.");
        if (errors.Count > 0) throw new FormatException(string.Join(" ", errors));
        return document with { Policies = document.Policies.Select(p => p with { Targets = p.Targets ?? [] }).ToList() };
    }
}
