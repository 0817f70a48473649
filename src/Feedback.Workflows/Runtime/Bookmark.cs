using System.Text.Json.Nodes;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// A point where an instance waits for a stimulus. Persisted as a row; resuming deletes the row in the
/// resuming transaction, which is what makes a resume run once.
/// </summary>
public sealed record Bookmark
{
    public required string Id { get; init; }
    /// <summary>The stimulus name, e.g. <c>Elsa.Delay</c>, <c>Elsa.Event</c>, <c>Elsa.RunTask</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Lookup key for stimulus resumes: name plus payload, hashed.</summary>
    public required string Hash { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityInstanceId { get; init; }
    public JsonObject? Payload { get; init; }
    /// <summary>When set, a timer resumes the bookmark at this instant.</summary>
    public DateTimeOffset? ResumeAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>What an activity asks for when it creates a bookmark.</summary>
/// <param name="Name">The stimulus name (defaults to the activity type).</param>
/// <param name="Payload">Data matched by stimulus resumes and hashed (for example an event name).</param>
/// <param name="ResumeAt">A timer: the bookmark resumes itself at this instant.</param>
/// <param name="IncludeActivityInstanceId">Scopes the hash to this activity instance.</param>
public sealed record BookmarkRequest(string? Name = null, JsonObject? Payload = null, DateTimeOffset? ResumeAt = null, bool IncludeActivityInstanceId = false);

/// <summary>A published definition's start trigger (an Event name, a Timer interval, a Cron expression, a StartAt instant).</summary>
/// <param name="Name">The stimulus name, e.g. <c>Elsa.Event</c>.</param>
/// <param name="Payload">What the trigger matches on.</param>
/// <param name="Schedule">Set for time-based triggers.</param>
public sealed record TriggerRegistration(string Name, JsonObject Payload, TriggerSchedule? Schedule = null);

/// <summary>When a time-based trigger fires: exactly one of the three is set.</summary>
public sealed record TriggerSchedule(DateTimeOffset? At = null, TimeSpan? Interval = null, string? Cron = null);

/// <summary>What a trigger can read while it is being indexed on publish: its evaluated literal inputs.</summary>
public sealed class TriggerIndexingContext(Func<Activities.Input?, object?> evaluate, DateTimeOffset now)
{
    public DateTimeOffset Now { get; } = now;

    /// <summary>Evaluates an input that does not depend on a running instance (literals, object, JavaScript without variables).</summary>
    public T? Get<T>(Activities.Input<T>? input) => input is null ? default : (T?)evaluate(input);
}
