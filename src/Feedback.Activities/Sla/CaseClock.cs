namespace Feedback.Activities.Sla;

/// <summary>Where a case clock stands.</summary>
public enum CaseClockState { Running, Paused, Stopped }

/// <summary>What happened to a case clock.</summary>
public enum CaseClockEventKind { Started, Paused, Resumed, Stopped, Recomputed }

/// <summary>
/// One SLA clock of a case: its target and calendar as last applied, and the working time used up to
/// <see cref="UsedAt"/>. The events are the record; this row is their running sum, so a later calendar or policy
/// change only ever re-measures time after the last event.
/// </summary>
public sealed class CaseClock
{
    public long Id { get; set; }
    public required string CaseNumber { get; set; }
    /// <summary>A policy clock (<see cref="SlaClockNames"/>) or a flow's own clock.</summary>
    public required string Name { get; set; }
    public CaseClockState State { get; set; }
    /// <summary>The target as working (or calendar) time, already converted from working days.</summary>
    public TimeSpan Target { get; set; }
    public SlaBasis Basis { get; set; }
    /// <summary>The calendar working time is counted on; null for calendar time.</summary>
    public string? CalendarId { get; set; }
    /// <summary>True for a clock a flow started with its own target: policy changes leave it alone.</summary>
    public bool FromFlow { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>Working time used up to <see cref="UsedAt"/> (the last event).</summary>
    public TimeSpan Used { get; set; }
    public DateTimeOffset UsedAt { get; set; }
    /// <summary>When the target runs out if the clock keeps running; null while paused or stopped.</summary>
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    /// <summary>When the time used passed the target, once it did.</summary>
    public DateTimeOffset? BreachedAt { get; set; }
    /// <summary>Why it is paused (waiting for the customer, a supplier...).</summary>
    public string? PausedFor { get; set; }
}

/// <summary>One change of a case clock, with the working time used at that instant.</summary>
public sealed class CaseClockEvent
{
    public long Id { get; set; }
    public long ClockId { get; set; }
    public required string CaseNumber { get; set; }
    public required string Clock { get; set; }
    public DateTimeOffset At { get; set; }
    public CaseClockEventKind Kind { get; set; }
    public TimeSpan Used { get; set; }
    public string? Note { get; set; }
}
