using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Notification;

/// <summary>
/// Records that the customer got the written reply outside mail (an SMS, a letter, an answer on the review platform),
/// after <see cref="NotifyCustomer"/> took WriteOtherwise: the case counts as replied (closed when the customer was
/// satisfied), as if the result had been mailed.
/// </summary>
[Activity("Feedback", "Feedback",
    "Records that the customer was answered in writing outside mail (SMS, letter, on the review platform): the case counts as replied, or closed when the customer was satisfied.",
    DisplayName = "Record Written Reply")]
public sealed class RecordWrittenReply : CodeActivity
{
    public const int MaxChannelLength = 100;

    /// <summary>The history action this activity writes.</summary>
    public const string RepliedAction = "RepliedInWriting";

    [Input(Description = "How the reply went: SMS, letter, review platform...", Order = 0)]
    public Input<string> Channel { get; set; } = default!;

    [Input(Description = "Who sent it: a staff user name; empty records the workflow.", Order = 1)]
    public Input<string?> By { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 2)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var channel = Blank(context.Get(Channel)) ?? throw new FormatException("Input 'Channel': say how the reply was sent (SMS, letter, review platform...).");
        if (channel.Length > MaxChannelLength) throw new FormatException($"Input 'Channel': at most {MaxChannelLength} characters.");
        // Only how, not what: the reply's text stays with the task that recorded it, which retention can clear, while
        // the history is append-only.
        context.Enlist(new CaseChange(number, RepliedAction, $"Written reply sent by {channel}.", c =>
        {
            // As for a mailed result: closed when the customer confirmed the rectification, replied otherwise.
            c.Status = NotifyCustomer.AfterReply(c);
        }, Actor: Blank(context.Get(By)) ?? "workflow"));
    }
}
