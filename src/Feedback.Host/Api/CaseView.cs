using Feedback.Activities.Access;
using Feedback.Activities.Cases;

namespace Feedback.Host.Api;

/// <summary>What staff see of a case through the API; contacts are masked unless revealed (see <see cref="CaseAccess"/>).</summary>
internal sealed record CaseView(
    string Number, DateTimeOffset ReceivedAt, FeedbackChannel Channel, CaseStatus Status, bool Anonymous,
    string? CustomerName, string? CustomerPhone, string? CustomerEmail, string Language, string? Title, string Content,
    ProductDetails? Product, IReadOnlyList<CustomerRequest> Requests, FeedbackCategory? Category, Severity? Severity, bool FoodSafety,
    string? LeadDepartment, IReadOnlyList<string> HelperDepartments, string? Owner, int ReworkCount, int EscalationLevel, int? Satisfaction,
    string WorkflowInstanceId, IReadOnlyList<CaseView.HistoryLine> History)
{
    /// <summary>The case's SLA clocks: target, time used and left, paused state and breach.</summary>
    public IReadOnlyList<Feedback.Activities.Sla.CaseClockView> Clocks { get; init; } = [];

    /// <summary>Why the feedback was judged malicious or false; null when it was not. Such a case is left out of the reports.</summary>
    public string? MaliciousReason { get; init; }

    /// <summary>What the customer last said about the rectification (survey comment or callback); removed by anonymisation.</summary>
    public string? CustomerComment { get; init; }

    /// <summary>What the customer said in each round (rating and words), oldest first; removed by anonymisation.</summary>
    public IReadOnlyList<Feedback.Activities.Cases.CustomerWords> CustomerComments { get; init; } = [];

    /// <summary>The case this one duplicates; null when it is not a duplicate. Such a case is left out of the reports.</summary>
    public string? DuplicateOf { get; init; }

    /// <summary>True when the feedback was recorded as praise; reports count it apart from complaints.</summary>
    public bool Praise { get; init; }

    /// <summary>The user name of the staff member the feedback is about, who neither sees nor handles the case; null when none.</summary>
    public string? ComplainedAbout { get; init; }

    /// <summary>While true, retention keeps the case's personal data.</summary>
    public bool LegalHold { get; init; }

    /// <summary>The staff's internal notes on the case, oldest first; a note's text is null once retention removed it.</summary>
    public IReadOnlyList<NoteLine> Notes { get; init; } = [];

    /// <summary>One internal note.</summary>
    public sealed record NoteLine(DateTimeOffset At, string Author, string? Text)
    {
        public static NoteLine From(CaseNote n) => new(n.At, n.Author, n.Text);
    }

    /// <summary>One history line.</summary>
    public sealed record HistoryLine(DateTimeOffset At, string Actor, string Via, string Action, string? Details);

    /// <summary>The case with its history; the customer's name and contacts are masked unless <paramref name="revealed"/>.</summary>
    public static CaseView From(FeedbackCase c, IReadOnlyList<CaseHistoryEntry> history, bool revealed) => new(
        c.Number, c.ReceivedAt, c.Channel, c.Status, c.Anonymous,
        revealed ? c.CustomerName : PersonalData.MaskName(c.CustomerName),
        revealed ? c.CustomerPhone : PersonalData.MaskPhone(c.CustomerPhone),
        revealed ? c.CustomerEmail : PersonalData.MaskEmail(c.CustomerEmail), c.Language,
        c.Title, c.Content, c.Product, c.Requests, c.Category, c.Severity, c.FoodSafety, c.LeadDepartment, c.HelperDepartments,
        c.Owner, c.ReworkCount, c.EscalationLevel, c.Satisfaction, c.WorkflowInstanceId,
        history.Select(h => new HistoryLine(h.At, h.Actor, h.Via, h.Action, h.Details)).ToList())
    {
        MaliciousReason = c.MaliciousReason,
        CustomerComment = c.CustomerComment,
        CustomerComments = c.CustomerComments,
        DuplicateOf = c.DuplicateOf,
        Praise = c.Praise,
        LegalHold = c.LegalHold,
        ComplainedAbout = c.ComplainedAbout,
    };
}
