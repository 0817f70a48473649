namespace Feedback.Workflows.Model;

/// <summary>A flowchart edge: followed when <see cref="SourceActivityId"/> completes with outcome <see cref="SourcePort"/>.</summary>
public sealed record Connection(string SourceActivityId, string SourcePort, string TargetActivityId, string TargetPort)
{
    /// <summary>The outcome an activity emits when it completes without naming one.</summary>
    public const string DefaultOutcome = "Done";

    /// <summary>The in-port Elsa Studio draws on every activity.</summary>
    public const string DefaultInPort = "In";

    /// <summary>Stable key used in persisted flow state.</summary>
    public string Key => $"{SourceActivityId}:{SourcePort}->{TargetActivityId}:{TargetPort}";
}
