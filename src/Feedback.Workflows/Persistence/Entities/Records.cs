namespace Feedback.Workflows.Persistence.Entities;

/// <summary>One version of a workflow definition; <see cref="Json"/> is the Elsa model as saved, unknown properties included.</summary>
public sealed class WorkflowDefinitionRecord
{
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public required int Version { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public bool IsLatest { get; set; }
    public bool IsPublished { get; set; }
    /// <summary>Set once the version is first published and never cleared: such a version is not edited in place, even after a retract.</summary>
    public bool WasPublished { get; set; }
    public required string Json { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A workflow instance: searchable columns plus the whole <c>WorkflowState</c> as JSON.</summary>
public sealed class WorkflowInstanceRecord
{
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string DefinitionVersionId { get; set; }
    public int Version { get; set; }
    public string Status { get; set; } = "Running";
    public string SubStatus { get; set; } = "Pending";
    public string? CorrelationId { get; set; }
    public string? Name { get; set; }
    public int IncidentCount { get; set; }
    public required string State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>A waiting bookmark. Deleting this row is what claims a resume.</summary>
public sealed class BookmarkRecord
{
    public required string Id { get; set; }
    public required string WorkflowInstanceId { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityInstanceId { get; set; }
    public string? CorrelationId { get; set; }
    public string? Payload { get; set; }
    public DateTimeOffset? ResumeAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A start trigger of a published definition version.</summary>
public sealed class TriggerRecord
{
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public required string DefinitionVersionId { get; set; }
    public required string ActivityId { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public string? Payload { get; set; }
    /// <summary>JSON of the trigger's schedule for time-based triggers.</summary>
    public string? Schedule { get; set; }
}

/// <summary>A journal line (Elsa's workflow execution log record).</summary>
public sealed class JournalRecord
{
    public required string Id { get; set; }
    public required string WorkflowInstanceId { get; set; }
    public string? ActivityInstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public int ActivityTypeVersion { get; set; }
    public string? ActivityName { get; set; }
    public required string NodeId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public long Sequence { get; set; }
    public required string EventName { get; set; }
    public string? Message { get; set; }
    public string? Payload { get; set; }
}

/// <summary>A side effect waiting for delivery; delivered at least once, marked when done.</summary>
public sealed class OutboxRecord
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public string? WorkflowInstanceId { get; set; }
    public string? ActivityInstanceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

/// <summary>Which shipped file a definition was last published from, so admin edits are recognised and kept.</summary>
public sealed class ShippedDefinitionRecord
{
    public required string DefinitionId { get; set; }
    /// <summary>SHA-256 of the file's JSON as last published.</summary>
    public required string ContentHash { get; set; }
    /// <summary>The version that publish created; if the latest version differs, an admin has edited the definition.</summary>
    public required string VersionId { get; set; }
    public DateTimeOffset LoadedAt { get; set; }
}
