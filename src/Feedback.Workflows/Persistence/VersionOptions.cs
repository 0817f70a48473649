namespace Feedback.Workflows.Persistence;

/// <summary>Elsa's version selector: Latest, Published, LatestOrPublished, LatestAndPublished, Draft, AllVersions, or a number.</summary>
public readonly record struct VersionOptions(string Kind, int? Version = null)
{
    public static readonly VersionOptions Latest = new("Latest");
    public static readonly VersionOptions Published = new("Published");
    public static readonly VersionOptions LatestOrPublished = new("LatestOrPublished");
    public static readonly VersionOptions AllVersions = new("AllVersions");

    /// <summary>Parses the query-string form; empty means LatestOrPublished, as the Studio sends it.</summary>
    /// <exception cref="FormatException">Not one of the known values.</exception>
    public static VersionOptions Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return LatestOrPublished;
        if (int.TryParse(text, out var n)) return new VersionOptions("Specific", n);
        foreach (var kind in new[] { "Latest", "Published", "LatestOrPublished", "LatestAndPublished", "Draft", "AllVersions" })
            if (string.Equals(kind, text, StringComparison.OrdinalIgnoreCase)) return new VersionOptions(kind);
        throw new FormatException($"'{text}' is not a version option; use Latest, Published, LatestOrPublished, LatestAndPublished, Draft, AllVersions or a version number.");
    }

    /// <summary>
    /// Parses the list endpoint's filter: empty or absent means no version filter (every version), as in Elsa's list,
    /// which the Studio relies on when it names instance rows by version id (<c>versionOptions=&amp;Ids=...</c>).
    /// </summary>
    /// <exception cref="FormatException">Not one of the known values.</exception>
    public static VersionOptions? ParseFilter(string? text) => string.IsNullOrWhiteSpace(text) ? null : Parse(text);

    public IQueryable<Entities.WorkflowDefinitionRecord> Apply(IQueryable<Entities.WorkflowDefinitionRecord> query)
    {
        var version = Version;
        return Kind switch
        {
        "Latest" => query.Where(d => d.IsLatest),
        "Published" => query.Where(d => d.IsPublished),
        "LatestOrPublished" => query.Where(d => d.IsLatest || d.IsPublished),
        "LatestAndPublished" => query.Where(d => d.IsLatest && d.IsPublished),
        "Draft" => query.Where(d => !d.IsPublished),
        "Specific" => query.Where(d => d.Version == version),
        _ => query,
        };
    }
}
