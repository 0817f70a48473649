using System.Text.Json.Nodes;

namespace Feedback.Workflows.Runtime;

/// <summary>Everything an instance needs to continue after a restart; stored as JSON on the instance row.</summary>
public sealed class WorkflowState
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string DefinitionVersionId { get; init; }
    public required int DefinitionVersion { get; init; }
    public string? CorrelationId { get; set; }
    public string? Name { get; set; }
    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;
    public WorkflowSubStatus SubStatus { get; set; } = WorkflowSubStatus.Pending;
    /// <summary>The activity this run started at (a trigger or the flowchart's default start).</summary>
    public string? StartActivityId { get; set; }
    /// <summary>Variable values by variable id.</summary>
    public Dictionary<string, JsonNode?> Variables { get; init; } = new();
    public Dictionary<string, JsonNode?> Input { get; init; } = new();
    public Dictionary<string, JsonNode?> Output { get; init; } = new();
    /// <summary>Activities that started and have not completed (waiting on a bookmark, or faulted), by activity instance id.</summary>
    public Dictionary<string, ActivityInstanceState> ActivityInstances { get; init; } = new();
    /// <summary>
    /// Activities scheduled but not yet run when a fault stopped the burst (FaultStrategy); a retry runs them after the
    /// faulted ones, so a sibling branch queued behind the fault is not lost.
    /// </summary>
    public List<ScheduledActivity> Scheduled { get; init; } = new();
    public List<Bookmark> Bookmarks { get; init; } = new();
    public List<Incident> Incidents { get; init; } = new();
    public FlowState Flow { get; init; } = new();
    /// <summary>Outputs of completed activities by activity id, then output name (read by <c>getOutputFrom</c>).</summary>
    public Dictionary<string, Dictionary<string, JsonNode?>> ActivityOutputs { get; init; } = new();
    public JsonNode? LastResult { get; set; }
    public long JournalSequence { get; set; }
    /// <summary>How often a dispatched (Pending) instance failed to start; see <see cref="WorkflowRuntime.MaxStartAttempts"/>.</summary>
    public int StartAttempts { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>An activity execution that is still open.</summary>
public sealed class ActivityInstanceState
{
    public required string Id { get; init; }
    public required string ActivityId { get; init; }
    public ActivityStatus Status { get; set; } = ActivityStatus.Running;
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>Input passed when it was scheduled (loops pass <c>BackwardConnection</c>).</summary>
    public Dictionary<string, JsonNode?>? ScheduledInput { get; set; }
    /// <summary>State the activity keeps between its execute and resume (retry counters and the like).</summary>
    public JsonObject Properties { get; init; } = new();
}

/// <summary>An activity waiting in the burst's queue, with the input it was scheduled with.</summary>
public sealed record ScheduledActivity(string ActivityId, Dictionary<string, JsonNode?>? Input);

/// <summary>Join bookkeeping of the flowchart: which inbound edges of each waiting activity have been decided.</summary>
public sealed class FlowState
{
    /// <summary>For each target activity: inbound connection key → whether that edge was taken in the current round.</summary>
    public Dictionary<string, Dictionary<string, bool>> Arrivals { get; init; } = new();
    /// <summary>WaitAny joins that already fired in the current round.</summary>
    public HashSet<string> FiredJoins { get; init; } = new();
}

/// <summary>An activity fault recorded on the instance.</summary>
public sealed record Incident(
    string ActivityId,
    string ActivityNodeId,
    string ActivityType,
    string Message,
    ExceptionState? Exception,
    DateTimeOffset Timestamp);

/// <summary>A serializable exception summary.</summary>
public sealed record ExceptionState(string Type, string Message, string? StackTrace, ExceptionState? InnerException)
{
    public static ExceptionState From(Exception e) =>
        new(e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace, e.InnerException is null ? null : From(e.InnerException));
}
