using Feedback.Activities.Organization;

namespace Feedback.Activities.Tasks;

/// <summary>Which tasks to list: every set criterion must match; statuses match any of those given.</summary>
public sealed record TaskFilter
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Tasks for this person: assigned to them or claimed by them.</summary>
    public string? Assignee { get; init; }
    public string? Department { get; init; }
    /// <summary>A <see cref="StaffRole"/> name.</summary>
    public string? Role { get; init; }
    public string? CaseNumber { get; init; }
    public string? WorkflowInstanceId { get; init; }
    /// <summary>Empty or null lists every status.</summary>
    public IReadOnlyCollection<FeedbackTaskStatus>? Statuses { get; init; }
    /// <summary>
    /// Limits the list to what a department-scoped reader may see: tasks of this department, or assigned to or claimed
    /// by <see cref="VisibleToUser"/>. Both null: no limit.
    /// </summary>
    public string? VisibleToDepartment { get; init; }
    public string? VisibleToUser { get; init; }
    /// <summary>
    /// The reading staff member, whatever their role: tasks of cases about them are never listed. Unset, the same holds
    /// for <see cref="VisibleToUser"/>.
    /// </summary>
    public string? NotAbout { get; init; }
    /// <summary>Zero-based, as in the workflow-instance list.</summary>
    public int Page { get; init; }
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Problems with the filter (unknown role, paging out of range).</summary>
    public IReadOnlyList<string> Check()
    {
        var errors = new List<string>();
        if (Role is not null && !Enum.GetNames<StaffRole>().Contains(Role, StringComparer.OrdinalIgnoreCase))
            errors.Add($"role: '{Role}' is not a role; use one of {string.Join(", ", Enum.GetNames<StaffRole>())}.");
        if (Page < 0) errors.Add("page: zero or more.");
        if (PageSize is < 1 or > MaxPageSize) errors.Add($"pageSize: between 1 and {MaxPageSize}.");
        return errors;
    }

    /// <summary>Reads <c>open,claimed</c> (any case) into statuses.</summary>
    /// <exception cref="TaskValidationException">An entry is not a status.</exception>
    public static IReadOnlyCollection<FeedbackTaskStatus>? ParseStatuses(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var statuses = new HashSet<FeedbackTaskStatus>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = Enum.GetNames<FeedbackTaskStatus>().FirstOrDefault(n => n.Equals(part, StringComparison.OrdinalIgnoreCase))
                ?? throw new TaskValidationException([$"status: '{part}' is not a status; use {string.Join(", ", Enum.GetNames<FeedbackTaskStatus>().Select(n => n.ToLowerInvariant()))} (comma-separated)."]);
            statuses.Add(Enum.Parse<FeedbackTaskStatus>(name));
        }
        return statuses;
    }
}

/// <summary>One page of tasks, newest first, and how many match in all.</summary>
public sealed record TaskPage(IReadOnlyList<FeedbackTask> Items, int TotalCount, int Page, int PageSize);
