using Feedback.Activities.Cases;

namespace Feedback.Host.Api;

/// <summary>What staff see of a case through the API.</summary>
internal sealed record CaseView(
    string Number, DateTimeOffset ReceivedAt, FeedbackChannel Channel, CaseStatus Status, bool Anonymous,
    string? CustomerName, string? CustomerPhone, string? CustomerEmail, string Language, string? Title, string Content,
    ProductDetails? Product, IReadOnlyList<CustomerRequest> Requests, FeedbackCategory? Category, Severity? Severity, bool FoodSafety,
    string? LeadDepartment, IReadOnlyList<string> HelperDepartments, string? Owner, int ReworkCount, int EscalationLevel, int? Satisfaction,
    string WorkflowInstanceId, IReadOnlyList<CaseView.HistoryLine> History)
{
    /// <summary>The case's SLA clocks: target, time used and left, paused state and breach.</summary>
    public IReadOnlyList<Feedback.Activities.Sla.CaseClockView> Clocks { get; init; } = [];

    /// <summary>One history line.</summary>
    public sealed record HistoryLine(DateTimeOffset At, string Actor, string Via, string Action, string? Details);

    public static CaseView From(FeedbackCase c, IReadOnlyList<CaseHistoryEntry> history) => new(
        c.Number, c.ReceivedAt, c.Channel, c.Status, c.Anonymous, c.CustomerName, c.CustomerPhone, c.CustomerEmail, c.Language,
        c.Title, c.Content, c.Product, c.Requests, c.Category, c.Severity, c.FoodSafety, c.LeadDepartment, c.HelperDepartments,
        c.Owner, c.ReworkCount, c.EscalationLevel, c.Satisfaction, c.WorkflowInstanceId,
        history.Select(h => new HistoryLine(h.At, h.Actor, h.Via, h.Action, h.Details)).ToList());
}
