using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Runs a start-up step that needs the database (migrations, shipped definitions, seed data) again when the database
/// goes away while it runs, as in an outage or a server restart that begins during the host's start-up, until
/// <see cref="WorkflowRuntimeOptions.DatabaseWaitAtStartup"/> is spent; only then does the failure stop the start-up.
/// Every such step is idempotent, so running it again after a half-done attempt is safe.
/// </summary>
public sealed class StartupRetry(WorkflowRuntimeOptions options, ILogger<StartupRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500), MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/>, again after each transient database failure while the wait lasts.</summary>
    /// <param name="step">What the step does, for the log.</param>
    /// <param name="isTransient">Which failures may pass; <see cref="IsTransient"/> unless a library reports them its own way.</param>
    public async Task RunAsync(string step, Func<CancellationToken, Task> work, CancellationToken cancellationToken, Func<Exception, bool>? isTransient = null)
    {
        isTransient ??= IsTransient;
        var waited = Stopwatch.StartNew();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work(cancellationToken);
                if (attempt > 1) logger.LogInformation("Start-up step '{Step}' succeeded at attempt {Attempt}, after {Seconds:0.0} s", step, attempt, waited.Elapsed.TotalSeconds);
                return;
            }
            catch (Exception e) when (isTransient(e) && waited.Elapsed + delay < options.DatabaseWaitAtStartup && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Start-up step '{Step}' lost the database ({Reason}); attempt {Attempt}, trying again in {Delay:0.0} s",
                    step, Innermost(e).Message, attempt, delay.TotalSeconds);
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>
    /// Whether a database failure that may pass is anywhere in the chain: EF Core wraps a lost connection in its own
    /// exceptions ("likely due to a transient failure", or a failed save).
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is DbException { IsTransient: true }) return true;
        return false;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
