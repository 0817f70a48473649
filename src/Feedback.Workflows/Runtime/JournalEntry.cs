using System.Text.Json.Nodes;

namespace Feedback.Workflows.Runtime;

/// <summary>One line of an instance's execution journal (Elsa's workflow execution log record).</summary>
public sealed record JournalEntry
{
    public required string Id { get; init; }
    public required string WorkflowInstanceId { get; init; }
    public string? ActivityInstanceId { get; init; }
    public string? ParentActivityInstanceId { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityType { get; init; }
    public int ActivityTypeVersion { get; init; } = 1;
    public string? ActivityName { get; init; }
    public required string NodeId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required long Sequence { get; init; }
    /// <summary>Started, Completed, Suspended, Resumed, Faulted, Cancelled, Skipped, or a workflow-level event.</summary>
    public required string EventName { get; init; }
    public string? Message { get; init; }
    public string? Source { get; init; }
    public JsonNode? Payload { get; init; }
}

/// <summary>A side effect recorded in the same commit as the step that caused it and delivered after it.</summary>
public sealed record OutboxMessage
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required JsonObject Payload { get; init; }
    public string? WorkflowInstanceId { get; init; }
    public string? ActivityInstanceId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
