using System.Text.Json.Nodes;

namespace Feedback.Activities.Tasks;

/// <summary>
/// A human task: a person or role must act (submit a plan, approve, call the customer) before the workflow goes on.
/// Created and closed in the same commit as the workflow step that waits on it.
/// </summary>
public sealed class FeedbackTask
{
    public required string Id { get; set; }
    public required string WorkflowInstanceId { get; set; }
    public required string BookmarkId { get; set; }
    public required string ActivityId { get; set; }
    public string? CaseNumber { get; set; }
    public required string Title { get; set; }
    public string? Instructions { get; set; }
    /// <summary>The person the task is for; null when it is for anyone with <see cref="Role"/> in <see cref="DepartmentId"/>.</summary>
    public string? Assignee { get; set; }
    public string? Role { get; set; }
    public string? DepartmentId { get; set; }
    /// <summary>The form fields, as the designer defined them.</summary>
    public List<TaskField> Fields { get; set; } = new();
    /// <summary>The buttons: each is an outcome of the StaffTask activity.</summary>
    public List<string> Actions { get; set; } = new();
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>
    /// Who may neither do the task nor be handed it: the person the feedback is about, and for a review whoever
    /// rectified the case (see <see cref="StaffTask.ExcludeRectifiers"/>).
    /// </summary>
    public List<string> Excluded { get; set; } = new();
    public FeedbackTaskStatus Status { get; set; } = FeedbackTaskStatus.Open;
    public string? ClaimedBy { get; set; }
    public string? CompletedBy { get; set; }
    public string? CompletedAction { get; set; }
    public JsonObject? CompletedValues { get; set; }
    /// <summary>The idempotency key of the completion, so a repeated submit gets the first answer.</summary>
    public string? CompletionKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>When the last overdue reminder went out (<see cref="RemindOverdueTasks"/>); null before the first.</summary>
    public DateTimeOffset? RemindedAt { get; set; }
    /// <summary>How many overdue reminders went out.</summary>
    public int Reminders { get; set; }
}

/// <summary>One form field of a task.</summary>
/// <param name="Type">text, number, date, choice or attachment (a link).</param>
/// <param name="Variable">The workflow variable the value is written to; defaults to <paramref name="Name"/> when declared.</param>
public sealed record TaskField(string Name, string Label, string Type = "text", bool Required = false, List<string>? Choices = null, string? Variable = null);

/// <summary>Where a task stands.</summary>
public enum FeedbackTaskStatus { Open, Claimed, Completed, Cancelled }
