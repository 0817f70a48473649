using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Timers;

/// <summary>Starts the workflow on a cron schedule, or waits for the next occurrence inside a flow. Quartz cron syntax, UTC.</summary>
[Activity("Elsa", "Scheduling", "Starts the workflow on a cron schedule (Quartz syntax with seconds, UTC), or waits for its next occurrence.")]
public sealed class Cron : Activity, ITrigger
{
    public const string Stimulus = "Elsa.Cron";

    [Input(Description = "Quartz cron expression with seconds, e.g. 0 0 9 ? * MON-FRI.", DisplayName = "Cron expression")]
    public Input<string> CronExpression { get; set; } = default!;

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        if (context.IsTriggerOfWorkflow) { context.Complete(); return ValueTask.CompletedTask; }
        var expression = context.Get(CronExpression) ?? throw new FormatException("The cron expression is empty.");
        TimerBookmarks.WaitUntil(context, Stimulus, TimerBookmarks.NextCronOccurrence(expression, context.Now));
        return ValueTask.CompletedTask;
    }

    public TriggerRegistration GetTrigger(TriggerIndexingContext context)
    {
        var expression = context.Get(CronExpression) ?? throw new FormatException("The cron expression is empty.");
        TimerBookmarks.NextCronOccurrence(expression, context.Now); // validates before anything is scheduled
        return new TriggerRegistration(Stimulus, new() { ["CronExpression"] = expression }, new TriggerSchedule(Cron: expression));
    }
}
