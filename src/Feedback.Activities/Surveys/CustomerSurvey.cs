using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Links;
using Feedback.Activities.Notification;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Surveys;

/// <summary>
/// Mails the customer a satisfaction survey with a signed link and waits until they answer on the survey page (a
/// rating from 1 to 5 and a comment); the answer is the activity's output, ready for <c>VerifyRectification</c>. With
/// <see cref="AnswerWithin"/> set, an unanswered survey closes at that time (its link stops working) and takes NoAnswer,
/// so a flow can call the customer instead of waiting for ever.
/// </summary>
[Activity("Feedback", "Feedback",
    "Mails the customer a satisfaction survey link (rating 1-5 and a comment) and waits for the answer; anonymous customers and customers without an e-mail address take NoContact, a survey unanswered within 'Answer within' takes NoAnswer.",
    DisplayName = "Customer Survey", Kind = ActivityKind.Task)]
[FlowNode(Outcomes.Answered, Outcomes.NoContact, Outcomes.NoAnswer)]
public sealed class CustomerSurvey(CaseService cases, MessageTemplates templates, FeedbackDomainOptions options) : Activity
{
    /// <summary>The ports this activity completes with.</summary>
    public static class Outcomes
    {
        public const string Answered = "Answered";
        public const string NoContact = "NoContact";
        public const string NoAnswer = "NoAnswer";
    }

    /// <summary>The bookmark name; its payload is <c>{CaseNumber}</c>.</summary>
    public const string Stimulus = "Feedback.CustomerSurvey";
    /// <summary>The name of the timer bookmark that closes an unanswered survey.</summary>
    public const string DeadlineStimulus = "Feedback.CustomerSurvey.Deadline";
    /// <summary>The resume input key carrying a <see cref="SurveyAnswer"/>.</summary>
    public const string AnswerInputKey = "SurveyAnswer";

    [Input(Description = "The case; empty means the instance's correlation id.")]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Input(Description = "What was done, shown in the survey mail above the link.", UIHint = InputUIHints.MultiLine)]
    public Input<string?> Text { get; set; } = default!;

    [Input(Description = "How long the customer has to answer (d.hh:mm:ss); then the link stops working and the survey takes NoAnswer. Empty waits until the customer answers.")]
    public Input<TimeSpan?> AnswerWithin { get; set; } = default!;

    [Input(Description = "Workflow variable that receives the rating (when declared).", DefaultValue = "Rating", Category = "Advanced")]
    public Input<string?> RatingVariable { get; set; } = default!;

    [Input(Description = "Workflow variable that receives the comment (when declared).", DefaultValue = "CustomerComment", Category = "Advanced")]
    public Input<string?> CommentVariable { get; set; } = default!;

    [Output(Description = "The customer's rating, 1 (very unsatisfied) to 5 (very satisfied).")]
    public Output<int> Rating { get; set; } = default!;

    [Output(Description = "The customer's comment, if any.")]
    public Output<string> Comment { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var answerWithin = context.Get(AnswerWithin);
        if (answerWithin is { } within && within <= TimeSpan.Zero)
            throw new FormatException($"Input 'AnswerWithin': {within} is not a positive duration; leave it empty to wait until the customer answers.");
        var feedback = await cases.FindForStepAsync(number, context) ?? throw new KeyNotFoundException($"No case {number}.");
        if (feedback.Anonymous || string.IsNullOrWhiteSpace(feedback.CustomerEmail))
        {
            context.AddJournal("NoContact", feedback.Anonymous ? "The feedback is anonymous." : "The customer left no e-mail address.");
            context.Complete(Outcomes.NoContact);
            return;
        }
        var issuer = context.Services.GetService<IActionLinkIssuer>()
            ?? throw new InvalidOperationException("No link issuer is registered: surveys need the web host, which mints the survey links.");

        var bookmark = context.CreateBookmark(new BookmarkRequest(Stimulus, new JsonObject { ["CaseNumber"] = number }));
        // The deadline is a second bookmark of the same activity: whichever resumes first removes the other, so an
        // answer after the deadline finds the survey closed and a deadline after the answer never fires.
        if (answerWithin is { } wait)
            context.CreateBookmark(new BookmarkRequest(DeadlineStimulus, new JsonObject { ["CaseNumber"] = number }, context.Now + wait, IncludeActivityInstanceId: true));
        context.Properties["caseNumber"] = number;
        var link = issuer.Issue(new ActionLinkRequest(ActionLinkKind.Survey, bookmark.Id, number));
        var model = new JsonObject
        {
            ["Case"] = new JsonObject
            {
                ["Number"] = feedback.Number, ["CustomerName"] = feedback.CustomerName, ["Title"] = feedback.Title,
                ["ReceivedAt"] = feedback.ReceivedAt.ToString("O"), ["Status"] = feedback.Status.ToString(), ["Language"] = feedback.Language,
            },
            ["Text"] = context.Get(Text),
            ["Link"] = link,
            ["Company"] = options.CompanyName,
            // The company's clock, as the customer reads the company's other dates.
            ["AnswerBy"] = answerWithin is { } open
                ? TimeZoneInfo.ConvertTime(context.Now + open, options.Reports.Zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)
                : null,
        };
        var rendered = templates.Render(CustomerMessage.Survey, feedback.Language, model, context.Now);
        context.AddOutboxMessage(NotifyCustomer.EmailOutboxType, new JsonObject
        {
            ["to"] = feedback.CustomerEmail,
            ["toName"] = feedback.CustomerName,
            ["subject"] = rendered.Subject,
            ["text"] = rendered.Text,
            ["caseNumber"] = number,
            ["message"] = nameof(CustomerMessage.Survey),
            ["language"] = feedback.Language,
        });
        context.Enlist(new CaseChange(number, "SurveySent", $"Satisfaction survey mailed to the customer: {rendered.Subject}",
            c => c.Status = CaseStatus.AwaitingCustomer));
    }

    protected override ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        var number = (string?)context.Properties["caseNumber"] ?? throw new InvalidOperationException("The survey was resumed but never sent (no case number in its state).");
        if (context.ResumedBookmark?.Name == DeadlineStimulus)
        {
            context.Enlist(new CaseChange(number, "SurveyUnanswered", "The customer did not answer the satisfaction survey in time; the survey is closed.", _ => { }));
            context.Complete(Outcomes.NoAnswer);
            return ValueTask.CompletedTask;
        }
        var json = context.Input.GetValueOrDefault(AnswerInputKey) as JsonObject
            ?? throw new FormatException($"The resume input has no '{AnswerInputKey}' object; surveys are answered on the survey page.");
        var rating = (int?)json["Rating"] ?? 0;
        var problems = SurveyAnswer.Check(rating, (string?)json["Comment"]);
        if (problems.Count > 0) throw new FormatException("The survey answer is invalid: " + string.Join(" ", problems));
        var comment = string.IsNullOrWhiteSpace((string?)json["Comment"]) ? null : ((string)json["Comment"]!).Trim();

        context.Set(Rating, rating);
        context.Set(Comment, comment);
        var declared = context.WorkflowContext.Variables;
        foreach (var (variable, value) in new[] { (context.Get(RatingVariable), (JsonNode?)rating), (context.Get(CommentVariable), (JsonNode?)comment) })
            if (!string.IsNullOrWhiteSpace(variable) && declared.Any(v => v.Name == variable || v.Id == variable)) context.SetVariable(variable!, value);
        // The comment is the customer's own words: on the case, where anonymisation removes it, not in the history.
        // This round's words, or none: an earlier round's comment must not read as this one's.
        context.Enlist(new CaseChange(number, "SurveyAnswered", $"The customer rated {rating}/5" + (comment is null ? "." : ", with a comment on the case."),
            c => c.CustomerComment = comment, Actor: "customer", Via: "survey"));
        context.Complete(Outcomes.Answered);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The customer's survey answer, as the survey page sends it.</summary>
public sealed record SurveyAnswer(int Rating, string? Comment)
{
    public const int MaxCommentLength = 2000;

    /// <summary>Every problem with an answer; empty when it is valid.</summary>
    public static IReadOnlyList<string> Check(int rating, string? comment)
    {
        var problems = new List<string>();
        if (rating is < 1 or > 5) problems.Add("rating: choose 1 (very unsatisfied) to 5 (very satisfied).");
        if (comment is { Length: > MaxCommentLength }) problems.Add($"comment: at most {MaxCommentLength} characters.");
        return problems;
    }
}
