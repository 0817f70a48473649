using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Timers;

/// <summary>Waits for a duration; the wait survives restarts and can last months.</summary>
[Activity("Elsa", "Scheduling", "Waits for the given duration before continuing.")]
public sealed class Delay : Activity
{
    public const string Stimulus = "Elsa.Delay";

    [Input(Description = "How long to wait (d.hh:mm:ss).", DefaultValue = "00:01:00")]
    public Input<TimeSpan> TimeSpan { get; set; } = default!;

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        TimerBookmarks.WaitUntil(context, Stimulus, context.Now + context.Get(TimeSpan));
        return ValueTask.CompletedTask;
    }
}
