namespace Feedback.Activities.Cases;

/// <summary>One piece of customer feedback and everything done about it. One case per feedback.</summary>
public sealed class FeedbackCase
{
    public long Id { get; set; }
    /// <summary>The readable number customers and staff quote, e.g. <c>FB-2026-000123</c>.</summary>
    public required string Number { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public FeedbackChannel Channel { get; set; }
    public CaseStatus Status { get; set; } = CaseStatus.Registered;

    public bool Anonymous { get; set; }
    public string? CustomerName { get; set; }
    public string? CustomerPhone { get; set; }
    public string? CustomerEmail { get; set; }
    /// <summary>The language replies are written in: zh-CN, zh-TW or en.</summary>
    public string Language { get; set; } = "zh-CN";

    public string? Title { get; set; }
    public required string Content { get; set; }
    public ProductDetails? Product { get; set; }
    /// <summary>What the customer asks for.</summary>
    public List<CustomerRequest> Requests { get; set; } = new();

    public FeedbackCategory? Category { get; set; }
    public Severity? Severity { get; set; }
    public bool FoodSafety { get; set; }
    /// <summary>Set when the feedback is judged malicious or false; such cases are kept but left out of the metrics.</summary>
    public string? MaliciousReason { get; set; }
    public string? DuplicateOf { get; set; }
    /// <summary>Set when the feedback is praise (<see cref="RecordPraise"/>): reports count it apart from complaints.</summary>
    public bool Praise { get; set; }

    public string? LeadDepartment { get; set; }
    public List<string> HelperDepartments { get; set; } = new();
    public string? Owner { get; set; }
    /// <summary>The staff member the feedback is about; never assigned to handle or review it.</summary>
    public string? ComplainedAbout { get; set; }
    public int ReworkCount { get; set; }
    /// <summary>0 = not escalated; 1 = department head; 2 = complaint desk manager; 3 = management.</summary>
    public int EscalationLevel { get; set; }
    /// <summary>The customer's final rating, 1 to 5.</summary>
    public int? Satisfaction { get; set; }
    /// <summary>
    /// What the customer last said about the rectification (a survey's comment or the callback's words). Kept here, not
    /// in the append-only history, so that anonymisation can remove it.
    /// </summary>
    public string? CustomerComment { get; set; }
    /// <summary>
    /// Every round's words with its rating, oldest first, so that a rework's answer does not erase what the customer
    /// said about the first rectification; removed by anonymisation like <see cref="CustomerComment"/>.
    /// </summary>
    public List<CustomerWords> CustomerComments { get; set; } = new();

    /// <summary>The workflow instance that runs this case; fixed at registration so starting it is idempotent.</summary>
    public required string WorkflowInstanceId { get; set; }
    public required string WorkflowDefinitionId { get; set; }
    /// <summary>The client's Idempotency-Key: a retried submission finds the case it already created.</summary>
    public string? IdempotencyKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    // Facts kept for reports and retention (see Reports/ and Retention/); all are derived or set once.

    /// <summary>A keyed hash of the customer's normalised e-mail or phone: finds repeat complaints without the contact itself.</summary>
    public string? CustomerKey { get; set; }
    /// <summary>
    /// With both an e-mail and a phone, the keyed hash of the phone (<see cref="CustomerKey"/> is the e-mail's): a case
    /// sharing either key is the same customer's, so one who called once and wrote once is recognised.
    /// </summary>
    public string? CustomerPhoneKey { get; set; }
    /// <summary>The product's normalised name and model, for repeat complaints about the same product.</summary>
    public string? ProductKey { get; set; }
    /// <summary>Whole UTC days from 1970-01-01 to <see cref="ReceivedAt"/>, so repeat windows are integer arithmetic in any database.</summary>
    public int ReceivedDay { get; set; }
    /// <summary>The received day of the latest earlier valid case sharing a customer key; kept by <see cref="Reports.RepeatFacts"/>.</summary>
    public int? PreviousCustomerDay { get; set; }
    /// <summary>The received day of the latest earlier valid case about the same product and category; kept by <see cref="Reports.RepeatFacts"/>.</summary>
    public int? PreviousProductDay { get; set; }
    /// <summary>When a staff member first completed a task on the case.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }
    public long? FirstResponseSeconds { get; set; }
    /// <summary>When the case was first replied to or closed.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    public long? ResolutionSeconds { get; set; }
    /// <summary>When the case is due under its SLA: the Resolution clock's deadline, kept by the clock sync; null without that clock.</summary>
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>The customer's last verdict on the rectification (a rating of 4 or more, or a satisfied callback).</summary>
    public bool? CustomerSatisfied { get; set; }
    /// <summary>While set, retention never anonymises the case.</summary>
    public bool LegalHold { get; set; }
    /// <summary>When retention removed the personal data.</summary>
    public DateTimeOffset? AnonymisedAt { get; set; }
}

/// <summary>Product facts for product-quality feedback.</summary>
/// <summary>What the customer said about one round of rectification (a survey's comment or the callback's notes).</summary>
/// <param name="Round">1 for the first rectification, 2 for the rework after it, and so on.</param>
public sealed record CustomerWords(int Round, DateTimeOffset At, int? Rating, string Text);

public sealed record ProductDetails
{
    public string? Name { get; init; }
    public string? Model { get; init; }
    public string? BatchOrSerial { get; init; }
    public string? OrderNumber { get; init; }
    public DateOnly? DeliveryDate { get; init; }
    public int? QuantityAffected { get; init; }
    /// <summary>Links to photos the customer supplied.</summary>
    public List<string> Photos { get; init; } = new();
}

/// <summary>Where the feedback came from.</summary>
public enum FeedbackChannel { WebForm, Email, Phone, Counter, SuggestionBox, ECommerceReview, SocialMedia, ThirdPartyPlatform }

/// <summary>The company's feedback categories.</summary>
public enum FeedbackCategory { ProductQuality, ServiceAttitude, DeliveryLogistics, AfterSales, Suggestion, Other }

/// <summary>A: food safety, injury, legal or media exposure; B: a real defect or loss; C: minor.</summary>
public enum Severity { A, B, C }

/// <summary>What the customer asks the company to do.</summary>
public enum CustomerRequest { OnSiteVisit, Replacement, Return, Refund, Compensation, Apology }

/// <summary>Where a case stands.</summary>
public enum CaseStatus { Registered, Classified, Assigned, PlanSubmitted, InRectification, UnderReview, AwaitingCustomer, Replied, Closed }
