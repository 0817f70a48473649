using Feedback.Workflows.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace Feedback.Workflows.Scheduling;

/// <summary>
/// Quartz's hosted service, with the workflow scheduler created under <see cref="StartupRetry"/> first: creating it
/// checks and completes the job store's tables, and a database lost during that (an outage that begins while the host
/// starts) would otherwise end the start-up at once instead of being waited for like every other start-up step.
/// </summary>
internal sealed class StartupAwareQuartzHostedService : QuartzHostedService
{
    private readonly IServiceProvider _services;

    public StartupAwareQuartzHostedService(IHostApplicationLifetime applicationLifetime, IServiceProvider services, IOptionsMonitor<QuartzHostedServiceOptions> options)
        : base(applicationLifetime, services, options) => _services = services;

    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        // Without the runtime (scheduling registered on its own) there is no start-up wait to honour.
        if (_services.GetService<StartupRetry>() is not { } retry) return;
        var name = _services.GetRequiredService<SchedulingOptions>().SchedulerName;
        var factory = _services.GetRequiredKeyedService<ISchedulerFactory>(name);
        // Quartz reports a lost connection as a persistence failure, sometimes without the driver's exception inside.
        await retry.RunAsync("timer store", async ct => await factory.GetScheduler(ct), cancellationToken,
            e => e is JobPersistenceException || (e is SchedulerException && StartupRetry.IsTransient(e)));
    }
}
