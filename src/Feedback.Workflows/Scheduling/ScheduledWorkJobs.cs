using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Feedback.Workflows.Scheduling;

/// <summary>
/// Shared body of the two timer jobs: opens a DI scope per execution, calls <see cref="IScheduledWorkHandler"/>, and turns
/// its outcome into what Quartz acts on.
/// </summary>
/// <remarks>
/// <para>
/// A handler exception is logged and rethrown as <see cref="JobExecutionException"/>; the scheduler's retry policy
/// (exponential back-off from <see cref="SchedulingOptions.RetryInitialDelay"/>, registered by
/// <c>AddWorkflowScheduling</c>) then re-fires the same trigger later. The retry is stored in the job store, so it
/// survives a restart and may run on another node, and it keeps the occurrence's scheduled fire time.
/// </para>
/// <para>
/// Cancellation during a shutdown is rethrown as it is: Quartz then stores the firing for recovery (the jobs request
/// recovery) and another node, or this one on restart, runs it again. Re-running is safe because the bookmark or
/// trigger row is the source of truth and the handler does nothing when it is already gone.
/// </para>
/// </remarks>
internal abstract class ScheduledWorkJob : IJob
{
    private readonly IServiceScopeFactory scopeFactory;
    private readonly ILogger logger;

    protected ScheduledWorkJob(IServiceScopeFactory scopeFactory, ILogger logger)
    {
        this.scopeFactory = scopeFactory;
        this.logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        string work;
        try
        {
            work = Describe(context);
        }
        catch (JobExecutionException ex)
        {
            logger.LogError(ex, "Trigger {TriggerKey} carries unusable job data and is not fired again", context.Trigger.Key);
            throw;
        }

        if (context.Recovering)
            logger.LogInformation("Re-running {Work}: its previous firing was cut off by a node failure or shutdown", work);

        try
        {
            // A scope of our own rather than the job factory's, so the handler and everything it holds (a DbContext, a
            // unit of work) live for exactly one execution whichever way Quartz builds jobs.
            var scope = scopeFactory.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var handler = scope.ServiceProvider.GetRequiredService<IScheduledWorkHandler>();
                await RunAsync(handler, context, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("{Work} was interrupted by scheduler shutdown; it is handed back to run again", work);
            throw;
        }
        catch (Exception ex)
        {
            var policy = context.RetryPolicy;
            var attempt = context.RetryAttempt;
            if (policy is not null && attempt < policy.MaxAttempts)
                logger.LogWarning(ex, "{Work} failed on attempt {Attempt}; Quartz retries it in about {Delay} unless its next occurrence comes first",
                    work, attempt + 1, policy.DelayFor(attempt + 1));
            else
                logger.LogError(ex, "{Work} failed on attempt {Attempt} and has no retries left; it waits for its next occurrence or the timer repair",
                    work, attempt + 1);
            throw new JobExecutionException($"{work} failed: {ex.Message}", ex);
        }
    }

    /// <summary>A short description of what this firing does, for logs and errors.</summary>
    protected abstract string Describe(IJobExecutionContext context);

    /// <summary>Calls the handler method this job stands for.</summary>
    protected abstract Task RunAsync(IScheduledWorkHandler handler, IJobExecutionContext context, CancellationToken cancellationToken);

    /// <summary>Reads a value the scheduler wrote on the trigger; a missing one means the row was written by something else.</summary>
    protected static string RequiredString(IJobExecutionContext context, string key)
    {
        if (context.MergedJobDataMap.TryGetValue(key, out var value) && value is string text && text.Length > 0)
            return text;
        // Retrying cannot repair the data, so the trigger is completed rather than left failing on every firing.
        throw new JobExecutionException(
            $"Trigger {context.Trigger.Key} of job {context.JobDetail.Key} has no '{key}' in its job data.",
            new InvalidOperationException($"Missing job data '{key}'."))
        {
            UnscheduleFiringTrigger = true,
        };
    }
}

/// <summary>Durable job behind every bookmark timer: resumes the bookmark through <see cref="IScheduledWorkHandler"/>.</summary>
internal sealed class ResumeBookmarkJob : ScheduledWorkJob
{
    public ResumeBookmarkJob(IServiceScopeFactory scopeFactory, ILogger<ResumeBookmarkJob> logger) : base(scopeFactory, logger) { }

    /// <inheritdoc />
    protected override string Describe(IJobExecutionContext context) =>
        $"Resume of bookmark {RequiredString(context, QuartzWorkflowScheduler.BookmarkIdKey)} " +
        $"(instance {RequiredString(context, QuartzWorkflowScheduler.WorkflowInstanceIdKey)})";

    /// <inheritdoc />
    protected override Task RunAsync(IScheduledWorkHandler handler, IJobExecutionContext context, CancellationToken cancellationToken) =>
        handler.ResumeBookmarkAsync(
            RequiredString(context, QuartzWorkflowScheduler.BookmarkIdKey),
            RequiredString(context, QuartzWorkflowScheduler.WorkflowInstanceIdKey),
            cancellationToken);
}

/// <summary>Durable job behind every time-based start trigger: starts an instance through <see cref="IScheduledWorkHandler"/>.</summary>
internal sealed class StartFromTriggerJob : ScheduledWorkJob
{
    public StartFromTriggerJob(IServiceScopeFactory scopeFactory, ILogger<StartFromTriggerJob> logger) : base(scopeFactory, logger) { }

    /// <inheritdoc />
    protected override string Describe(IJobExecutionContext context) =>
        $"Start from trigger {RequiredString(context, QuartzWorkflowScheduler.TriggerIdKey)} at {ScheduledFireTime(context):O}";

    /// <inheritdoc />
    protected override Task RunAsync(IScheduledWorkHandler handler, IJobExecutionContext context, CancellationToken cancellationToken) =>
        handler.StartFromTriggerAsync(RequiredString(context, QuartzWorkflowScheduler.TriggerIdKey), ScheduledFireTime(context), cancellationToken);

    // The occurrence's own time, kept by retries and recovery alike, so the handler can recognise a repeat of it.
    private static DateTimeOffset ScheduledFireTime(IJobExecutionContext context) => context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
}
