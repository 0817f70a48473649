using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Feedback.Workflows.Scheduling;

/// <summary>Registers the Quartz-backed <see cref="IWorkflowScheduler"/>.</summary>
internal static class SchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IWorkflowScheduler"/>, a Quartz scheduler named <see cref="SchedulingOptions.SchedulerName"/>
    /// with its two durable jobs, and the hosted service that starts it once the application has started and stops
    /// it with the host. The caller registers <see cref="IScheduledWorkHandler"/> with any lifetime: it is resolved from
    /// a fresh scope for every firing.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With a connection string the store is PostgreSQL, its tables created at start-up when missing (safe with several
    /// processes starting at once: every statement is <c>CREATE … IF NOT EXISTS</c> and a process that loses the race
    /// validates the tables the winner made), and job data is serialized with System.Text.Json. Clustered nodes get an
    /// AUTO-generated instance id and take a database row lock to acquire triggers, which is what makes each timer fire
    /// once cluster-wide. Without a connection string the store is in memory.
    /// </para>
    /// <para>
    /// Shutdown waits for running handlers but cancels their token first: a handler that honours it stops at once, and
    /// the firing it gave up is stored for recovery and re-run (on another node, or here after a restart) instead of
    /// being lost or holding up the host. The host's shutdown timeout bounds a handler that ignores the token.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> cannot work.</exception>
    /// <exception cref="InvalidOperationException">Scheduling is already registered in <paramref name="services"/>.</exception>
    internal static IServiceCollection AddWorkflowScheduling(this IServiceCollection services, SchedulingOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (services.Any(d => d.ServiceType == typeof(SchedulingOptions)))
            throw new InvalidOperationException("AddWorkflowScheduling has already been called on this service collection.");

        services.AddSingleton(options);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        // A named scheduler keeps its registrations keyed, so an application that also uses Quartz for its own jobs
        // keeps its default scheduler and neither sees the other's jobs.
        services.AddQuartz(options.SchedulerName, quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.MaxBatchSize = options.BatchTriggerAcquisitionMaxCount;
                scheduler.DefaultTimeZone = TimeZoneInfo.Utc;
                scheduler.IdleWaitTime = options.IdleWaitTime;
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.Always;
                if (options.Clustered)
                    scheduler.GenerateInstanceId = true;
            });
            quartz.UseDefaultThreadPool(options.MaxConcurrency);
            // The scheduler's default rather than a policy stored on each trigger, so a changed setting also covers
            // timers stored before it; every node of a cluster must be configured alike.
            quartz.UseDefaultRetryPolicy(RetryPolicy.Exponential(
                options.RetryMaxAttempts, options.RetryInitialDelay, factor: 2.0, options.RetryMaxDelay, jitter: 0.2));

            if (options.PostgresConnectionString is null)
            {
                quartz.UseInMemoryStore(_ => { });
            }
            else
            {
                quartz.UsePersistentStore(store =>
                {
                    store.UsePostgres(options.PostgresConnectionString);
                    store.UseSystemTextJsonSerializer(null);
                    store.ConfigureStore(ado =>
                    {
                        ado.TablePrefix = options.TablePrefix;
                        ado.RecoverFiringsCancelledByShutdown = true;
                        // New keys are inserted without the cluster-wide TRIGGER_ACCESS row lock, which otherwise
                        // serialises every new timer of every host; a key that exists falls back to the locked Keep
                        // (QuartzWorkflowScheduler.StoreAsync), and PostgreSQL's primary key settles a race.
                        ado.LockOnInsert = false;
                    });
                    if (options.ProvisionSchema)
                        store.ProvisionSchema();
                    if (options.Clustered)
                    {
                        store.UseClustering(cluster =>
                        {
                            cluster.CheckinInterval = options.CheckinInterval;
                            cluster.CheckinMisfireThreshold = options.CheckinMisfireThreshold;
                        });
                    }
                });
            }

            // Durable so they outlive their last trigger; recoverable so a firing cut off by a dead node re-runs.
            // Concurrent execution stays allowed: firings of different bookmarks are independent.
            quartz.AddJob<ResumeBookmarkJob>(job => job
                .WithIdentity(QuartzWorkflowScheduler.ResumeBookmarkJobKey)
                .StoreDurably()
                .RequestRecovery());
            quartz.AddJob<StartFromTriggerJob>(job => job
                .WithIdentity(QuartzWorkflowScheduler.StartFromTriggerJobKey)
                .StoreDurably()
                .RequestRecovery());
        });

        services.AddQuartzHostedService<StartupAwareQuartzHostedService>();
        services.AddQuartzHostedService(options.SchedulerName, hosted =>
        {
            // Nothing fires before start-up (including the runtime's timer repair) has finished.
            hosted.AwaitApplicationStarted = true;
            hosted.WaitForJobsToComplete = true;
        });

        services.AddSingleton<IWorkflowScheduler>(sp => new QuartzWorkflowScheduler(
            sp.GetRequiredKeyedService<ISchedulerFactory>(options.SchedulerName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QuartzWorkflowScheduler>>()));
        return services;
    }
}
