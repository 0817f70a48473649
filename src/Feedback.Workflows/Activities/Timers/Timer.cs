using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Timers;

/// <summary>As a trigger, starts the workflow every interval; inside a flow, waits one interval.</summary>
[Activity("Elsa", "Scheduling", "Starts the workflow every interval, or waits one interval inside a flow.")]
public sealed class Timer : Activity, ITrigger
{
    public const string Stimulus = "Elsa.Timer";

    [Input(Description = "The interval (d.hh:mm:ss).", DefaultValue = "00:01:00")]
    public Input<TimeSpan> Interval { get; set; } = default!;

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        if (context.IsTriggerOfWorkflow) context.Complete();
        else TimerBookmarks.WaitUntil(context, Stimulus, context.Now + context.Get(Interval));
        return ValueTask.CompletedTask;
    }

    public TriggerRegistration GetTrigger(TriggerIndexingContext context)
    {
        var interval = context.Get(Interval);
        if (interval <= System.TimeSpan.Zero) throw new FormatException("The timer interval must be positive.");
        return new TriggerRegistration(Stimulus, new() { ["Interval"] = interval.ToString("c") }, new TriggerSchedule(At: context.Now + interval, Interval: interval));
    }
}
