using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities;

/// <summary>
/// Base of every activity. An instance is created per execution from the definition JSON; its
/// <see cref="Input{T}"/> properties are already evaluated when <see cref="ExecuteAsync"/> runs.
/// An activity must complete, create a bookmark, or throw.
/// </summary>
public abstract class Activity
{
    /// <summary>Runs the activity.</summary>
    protected internal abstract ValueTask ExecuteAsync(ActivityExecutionContext context);

    /// <summary>Runs when one of this activity's bookmarks is resumed; completes by default.</summary>
    protected internal virtual ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        context.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs when the activity is cancelled while waiting (a WaitAny join or an End elsewhere).</summary>
    protected internal virtual ValueTask CancelAsync(ActivityExecutionContext context) => ValueTask.CompletedTask;
}

/// <summary>An activity that completes with <c>Done</c> after <see cref="Execute"/> unless it chose outcomes itself.</summary>
public abstract class CodeActivity : Activity
{
    protected internal sealed override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        Execute(context);
        if (!context.HasCompleted) context.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The activity's work; may call <see cref="ActivityExecutionContext.Complete"/> with outcomes.</summary>
    protected abstract void Execute(ActivityExecutionContext context);
}

/// <summary>An activity that can start a workflow when its definition is published (Event, Timer, Cron, StartAt).</summary>
public interface ITrigger
{
    /// <summary>The trigger this activity registers when the definition is published.</summary>
    TriggerRegistration GetTrigger(TriggerIndexingContext context);
}
