using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Intake.Mail;

/// <summary>Runs a <see cref="MailboxPoller"/> pass once the host has started and then every <see cref="MailIntakeOptions.PollInterval"/>.</summary>
internal sealed class MailIntakeJob(MailboxPoller poller, MailIntakeOptions options, IHostApplicationLifetime lifetime, ILogger<MailIntakeJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Migrations, the published definitions and the directory come first.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            await started.Task;

        using var timer = new PeriodicTimer(options.PollInterval);
        do
        {
            try
            {
                var pass = await poller.RunPassAsync(stoppingToken);
                if (pass.Skipped) logger.LogDebug("E-mail intake pass skipped: another host is reading the mailbox");
                else if (pass.Opened + pass.Added + pass.Rejected + pass.Deferred > 0)
                    logger.LogInformation("E-mail intake: {Opened} new cases, {Added} replies added, {Rejected} set aside, {Deferred} left for the next pass",
                        pass.Opened, pass.Added, pass.Rejected, pass.Deferred);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Nothing is marked that was not stored, so the next pass simply starts over.
                logger.LogError(e, "E-mail intake from {Host}:{Port} folder {Folder} failed: {Reason}; it tries again in {Interval}",
                    options.Host, options.Port, options.Folder, e.Message, options.PollInterval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Service registration for e-mail intake.</summary>
public static class MailIntakeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MailIntakeService"/> and <see cref="MailboxPoller"/>, and, when a mailbox is configured and
    /// the host runs background workers, the job that polls it. Call after <c>AddFeedbackDomain</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A setting cannot work.</exception>
    public static IServiceCollection AddFeedbackMailIntake(this IServiceCollection services, MailIntakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<MailIntakeService>(); // IPhotoLinks is optional: without it pictures are reported, not kept
        services.AddSingleton<MailIntakeLock>();
        services.AddSingleton<MailboxPoller>();
        var runtime = services.LastOrDefault(d => d.ServiceType == typeof(Feedback.Workflows.WorkflowRuntimeOptions))?.ImplementationInstance as Feedback.Workflows.WorkflowRuntimeOptions;
        if (options.Enabled && runtime?.RunBackgroundWorkers != false) services.AddHostedService<MailIntakeJob>();
        return services;
    }
}
