using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Notification;

/// <summary>
/// Writes to the customer in their language (acknowledgement, progress, result, survey). The mail is recorded in the
/// step's commit and sent after it by the outbox, so a step sends its mail once however often it is retried. The
/// result is the written reply that ends a case's handling: when nobody can be written to, the case is closed
/// instead (with the reason in its history), so that it counts as resolved rather than open for ever, unless the flow
/// answers such customers in writing another way (<see cref="AnswerOtherwise"/>).
/// </summary>
[Activity("Feedback", "Feedback", "Sends the customer a message in their language; anonymous or unreachable customers take NoContact. A result that cannot be mailed closes the case without a reply, or with 'Answer otherwise' takes WriteOtherwise when the customer can be written to by SMS, letter or on the review platform.", DisplayName = "Notify Customer")]
[FlowNode(Outcomes.Sent, Outcomes.NoContact, Outcomes.WriteOtherwise)]
public sealed class NotifyCustomer(CaseService cases, MessageTemplates templates, FeedbackDomainOptions options) : Activity
{
    public static class Outcomes
    {
        public const string Sent = "Sent";
        public const string NoContact = "NoContact";
        /// <summary>The result could not be mailed, but the customer can be answered in writing elsewhere; the case stays open.</summary>
        public const string WriteOtherwise = "WriteOtherwise";
    }

    /// <summary>Channels whose feedback was written on a platform where the company can answer it publicly.</summary>
    public static readonly IReadOnlySet<FeedbackChannel> ReviewPlatforms =
        new HashSet<FeedbackChannel> { FeedbackChannel.ECommerceReview, FeedbackChannel.SocialMedia, FeedbackChannel.ThirdPartyPlatform };

    /// <summary>The history action of a result that could not be mailed.</summary>
    public const string ClosedWithoutReplyAction = "ClosedWithoutReply";

    /// <summary>The outbox message type delivered by <see cref="EmailOutboxHandler"/>.</summary>
    public const string EmailOutboxType = "Feedback.Email";

    [Input(Description = "The case; empty means the instance's correlation id.")]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Input(Description = "Which message to send.", DefaultValue = CustomerMessage.Acknowledgement)]
    public Input<CustomerMessage> Message { get; set; } = default!;

    [Input(Description = "Text for the message: the progress, or the result and improvements.", UIHint = InputUIHints.MultiLine)]
    public Input<string?> Text { get; set; } = default!;

    [Input(Description = "For the progress: the date the rectification is expected to be done by (e.g. the plan's deadline, yyyy-MM-dd); the template tells the customer. A date already past is left out.")]
    public Input<string?> ExpectedBy { get; set; } = default!;

    [Input(Description = "For the progress: the promised date is no later than this span from now; give it the DueIn of the task that does the work, so the customer is promised the date that task is due.")]
    public Input<TimeSpan?> ExpectedWithin { get; set; } = default!;

    [Input(Description = "Count ExpectedWithin in working time on the calendar of the case's lead department, as the task's DueInWorkingTime.", DefaultValue = false)]
    public Input<bool> ExpectedInWorkingTime { get; set; } = default!;

    [Input(Description = "For the progress: an SLA clock of the case (e.g. Resolution) the promised date may not outlast, as the task's DueWithSla.")]
    public Input<string?> ExpectedWithSla { get; set; } = default!;

    [Input(Description = "A link for the customer (the survey page).")]
    public Input<string?> Link { get; set; } = default!;

    [Input(Description = "For the result: when it cannot be mailed but the customer left a phone number or wrote on a review platform, take WriteOtherwise and leave the case open for a staff member to answer in writing there (Record Written Reply), instead of closing it.", DefaultValue = false)]
    public Input<bool> AnswerOtherwise { get; set; } = default!;

    [Input(Description = "A Liquid subject replacing the template's.", Category = "Template")]
    public Input<string?> Subject { get; set; } = default!;

    [Input(Description = "A Liquid body replacing the template's.", UIHint = InputUIHints.MultiLine, Category = "Template")]
    public Input<string?> Body { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = Cases.CaseInputs.Number(context, CaseNumber);
        var feedback = await cases.FindForStepAsync(number, context) ?? throw new KeyNotFoundException($"No case {number}.");
        var message = context.Get(Message);
        if (feedback.Anonymous || string.IsNullOrWhiteSpace(feedback.CustomerEmail))
        {
            var why = feedback.Anonymous ? "The feedback is anonymous." : "The customer left no e-mail address.";
            if (message == CustomerMessage.Result && context.Get(AnswerOtherwise) && CanBeWrittenToOtherwise(feedback))
            {
                context.AddJournal(Outcomes.WriteOtherwise, $"{why} The reply goes by SMS, letter or on the review platform.");
                context.Complete(Outcomes.WriteOtherwise);
                return;
            }
            context.AddJournal("NoContact", why);
            if (message == CustomerMessage.Result && feedback.Status is not (CaseStatus.Closed or CaseStatus.Replied))
                context.Enlist(new CaseChange(number, ClosedWithoutReplyAction, $"No written reply: {why[0..1].ToLowerInvariant()}{why[1..]}",
                    c => c.Status = CaseStatus.Closed));
            context.Complete(Outcomes.NoContact);
            return;
        }

        // The same rule as the task doing the work, so the customer is promised the date that task is due.
        var expected = new Tasks.TaskDue(context.Get(ExpectedWithin), context.Get(ExpectedInWorkingTime),
            Cases.CaseInputs.Blank(context.Get(ExpectedBy)), Cases.CaseInputs.Blank(context.Get(ExpectedWithSla)));
        expected.Validate(nameof(ExpectedBy));
        string? expectedBy = null;
        if (expected.Within is not null || expected.By is not null || expected.WithSla is not null)
        {
            if (await expected.ComputeAsync(context, number, feedback.LeadDepartment, context.Now, nameof(ExpectedBy)) is { } due)
                expectedBy = Tasks.TaskDue.Day(due, (await Tasks.TaskDue.CalendarAsync(context, feedback.LeadDepartment)).TimeZone);
        }
        var model = new JsonObject
        {
            ["Case"] = new JsonObject
            {
                ["Number"] = feedback.Number, ["CustomerName"] = feedback.CustomerName, ["Title"] = feedback.Title,
                ["ReceivedAt"] = feedback.ReceivedAt.ToString("O"), ["Status"] = feedback.Status.ToString(),
                ["Category"] = feedback.Category?.ToString(), ["Language"] = feedback.Language,
            },
            ["Text"] = context.Get(Text),
            ["ExpectedBy"] = expectedBy,
            ["Link"] = context.Get(Link),
            // A read-only page where the customer follows the case; only when a web host mints links.
            ["CaseLink"] = context.Services.GetService<Links.IActionLinkIssuer>()?.Issue(new Links.ActionLinkRequest(Links.ActionLinkKind.CasePage, number, number)),
            ["Company"] = options.CompanyName,
        };
        var rendered = templates.Render(message, feedback.Language, model, context.Now, context.Get(Subject), context.Get(Body));
        context.AddOutboxMessage(EmailOutboxType, new JsonObject
        {
            ["to"] = feedback.CustomerEmail,
            ["toName"] = feedback.CustomerName,
            ["subject"] = rendered.Subject,
            ["text"] = rendered.Text,
            ["caseNumber"] = number,
            ["message"] = message.ToString(),
            ["language"] = feedback.Language,
        });
        context.Enlist(new CaseChange(number, "CustomerNotified", $"{message} mail to the customer: {rendered.Subject}", c =>
        {
            // The written reply with the result is what the policy asks for before a case may close.
            if (message == CustomerMessage.Result) c.Status = AfterReply(c);
        }));
        context.Complete(Outcomes.Sent);
    }

    /// <summary>
    /// The status a case takes once the customer has the written result: closed when the customer confirmed the
    /// rectification, replied otherwise (unsatisfied, unrated, or not asked); a case already closed stays closed.
    /// </summary>
    public static CaseStatus AfterReply(FeedbackCase feedback) =>
        feedback.Status == CaseStatus.Closed || feedback.CustomerSatisfied == true ? CaseStatus.Closed : CaseStatus.Replied;

    /// <summary>
    /// A customer who left a phone number can get an SMS or a letter; a review is answered where it was written, even
    /// when the reviewer is anonymous to the company.
    /// </summary>
    public static bool CanBeWrittenToOtherwise(FeedbackCase feedback) =>
        ReviewPlatforms.Contains(feedback.Channel) || (!feedback.Anonymous && !string.IsNullOrWhiteSpace(feedback.CustomerPhone));
}
