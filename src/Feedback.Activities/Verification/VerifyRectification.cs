using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;

namespace Feedback.Activities.Verification;

/// <summary>
/// The customer's confirmation of a rectification. The flow asks first (usually a "call the customer back" staff task
/// whose form writes the rating and comment to variables, or a survey) and passes the answer in; this step records it
/// on the case and decides: satisfied, another rectification while reworks remain, or unsatisfied for escalation.
/// </summary>
[Activity("Feedback", "Feedback",
    "Records the customer's answer on the case (a 1-5 rating, where 4 or more is satisfied, or a callback result 'Satisfied'/'Unsatisfied: comment'). Verified when satisfied (the written reply then closes the case); Rework when unsatisfied and reworks remain (counts one); Unsatisfied when the rework bound is reached, so the flow escalates.",
    DisplayName = "Verify Rectification")]
[FlowNode(Outcomes.Verified, Outcomes.Rework, Outcomes.Unsatisfied)]
public sealed class VerifyRectification(CaseService cases) : Activity
{
    /// <summary>The ports this activity completes with.</summary>
    public static class Outcomes
    {
        public const string Verified = "Verified";
        public const string Rework = "Rework";
        public const string Unsatisfied = "Unsatisfied";
    }

    /// <summary>The default for <see cref="MaxReworks"/>.</summary>
    public const int DefaultMaxReworks = 2;

    [Input(Description = "The customer's rating, 1 (very unsatisfied) to 5 (very satisfied); 4 or more is satisfied. E.g. getVariable('Rating') from a callback form or survey.", Order = 0)]
    public Input<int?> Rating { get; set; } = default!;

    [Input(Description = "What staff noted on the callback when there is no rating: 'Satisfied' or 'Unsatisfied', optionally followed by a comment ('Unsatisfied: still leaking').", Order = 1)]
    public Input<string?> CallbackResult { get; set; } = default!;

    [Input(Description = "The customer's comment; it goes into the history and, on rework, back to whoever rectifies.", UIHint = InputUIHints.MultiLine, Order = 2)]
    public Input<string?> Comment { get; set; } = default!;

    [Input(Description = "How many times an unsatisfied customer gets another rectification before the case escalates.", DefaultValue = DefaultMaxReworks, Order = 3)]
    public Input<int?> MaxReworks { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 4)]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Output(Description = "True when the customer is satisfied.")]
    public Output<bool> Satisfied { get; set; } = default!;

    [Output(Description = "The customer's comment, from Comment or the callback result.")]
    public Output<string> CustomerComment { get; set; } = default!;

    [Output(Description = "How many reworks the customer has asked for so far, this one included.")]
    public Output<int> ReworkCount { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var maxReworks = context.Get(MaxReworks) ?? DefaultMaxReworks;
        if (maxReworks < 0) throw new FormatException($"Input 'MaxReworks': {maxReworks} is negative; use 0 to escalate at the first unsatisfied answer.");
        var answer = CustomerAnswer.From(context.Get(Rating), context.Get(CallbackResult), context.Get(Comment));
        var feedback = await cases.FindForStepAsync(number, context) ?? throw new KeyNotFoundException($"No case {number}.");

        var reworks = feedback.ReworkCount;
        string outcome, action, details;
        // Verified leaves the status alone: the case is closed by the written reply that follows (mailed, or sent by SMS,
        // letter or on the platform by staff), not here, so it stays open, timed and findable until the customer has it.
        CaseStatus? status;
        if (answer.Satisfied)
            (outcome, action, status, details) = (Outcomes.Verified, "CustomerSatisfied", null, $"The customer confirmed the rectification: {answer.Summary}.");
        else if (reworks < maxReworks)
        {
            reworks++;
            (outcome, action, status, details) = (Outcomes.Rework, "ReworkRequested", CaseStatus.InRectification, $"The customer is not satisfied ({answer.Summary}); rectification again, rework {reworks} of {maxReworks}.");
        }
        else
            (outcome, action, status, details) = (Outcomes.Unsatisfied, "CustomerUnsatisfied", CaseStatus.UnderReview, $"The customer is still not satisfied ({answer.Summary}) after {reworks} rework(s), the most allowed; escalate.");

        var rating = answer.Rating;
        var satisfied = answer.Satisfied;
        var comment = answer.Comment is { Length: > Surveys.SurveyAnswer.MaxCommentLength } longer ? longer[..Surveys.SurveyAnswer.MaxCommentLength] : answer.Comment;
        var words = string.IsNullOrWhiteSpace(comment) ? null : new CustomerWords(feedback.ReworkCount + 1, context.Now, rating, comment);
        context.Enlist(new CaseChange(number, action, details, c =>
        {
            // A rating replaces the earlier one; a callback without a rating leaves it as it was.
            if (rating is not null) c.Satisfaction = rating;
            c.ReworkCount = reworks;
            if (status is { } next) c.Status = next;
            c.CustomerSatisfied = satisfied;
            // This round's words, or none: an earlier round's comment must not read as this one's. Every round's stay in
            // the list, which the deciding staff read.
            c.CustomerComment = comment;
            if (words is not null) c.CustomerComments = [.. c.CustomerComments, words];
        }, Actor: "customer"));
        context.Set(Satisfied, answer.Satisfied);
        context.Set(CustomerComment, answer.Comment);
        context.Set(ReworkCount, reworks);
        context.AddJournal(outcome, details, new JsonObject { ["rating"] = rating, ["reworkCount"] = reworks, ["maxReworks"] = maxReworks });
        context.Complete(outcome);
    }
}
