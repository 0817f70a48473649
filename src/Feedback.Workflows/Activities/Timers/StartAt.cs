using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Timers;

/// <summary>Waits until an instant (or, as a trigger, starts the workflow then); a past instant continues at once.</summary>
[Activity("Elsa", "Scheduling", "Waits until the given date and time.", DisplayName = "Start At")]
public sealed class StartAt : Activity, ITrigger
{
    public const string Stimulus = "Elsa.StartAt";

    [Input(Description = "The instant to continue at.", UIHint = InputUIHints.DateTimePicker)]
    public Input<DateTimeOffset> DateTime { get; set; } = default!;

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        if (context.IsTriggerOfWorkflow) context.Complete();
        else TimerBookmarks.WaitUntil(context, Stimulus, context.Get(DateTime));
        return ValueTask.CompletedTask;
    }

    public TriggerRegistration GetTrigger(TriggerIndexingContext context)
    {
        var at = context.Get(DateTime);
        return new TriggerRegistration(Stimulus, new() { ["ExecuteAt"] = at.ToString("O") }, new TriggerSchedule(At: at));
    }
}
