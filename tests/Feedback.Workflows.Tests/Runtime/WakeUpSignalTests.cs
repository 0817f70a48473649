using System.Diagnostics;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Tests.Runtime;

/// <summary>The outbox dispatcher and the pending-instance worker are woken separately, as the runtime registers them.</summary>
public sealed class WakeUpSignalTests
{
    [Fact]
    public async Task A_commit_with_mail_does_not_use_up_the_wake_up_of_a_dispatched_instance_nor_the_reverse()
    {
        var folder = Directory.CreateTempSubdirectory("feedback-signals-").FullName;
        try
        {
            await using var services = new ServiceCollection().AddLogging()
                .AddFeedbackWorkflows(o => o.ConnectionString = $"Data Source={Path.Combine(folder, "signals.db")}")
                .BuildServiceProvider();
            var outbox = services.GetRequiredService<OutboxSignal>();
            var dispatch = services.GetRequiredService<DispatchSignal>();
            var patience = TimeSpan.FromSeconds(30);
            var quiet = TimeSpan.FromMilliseconds(300);

            outbox.Notify();
            (await TimeAsync(() => dispatch.WaitAsync(quiet, CancellationToken.None))).Should().BeGreaterThanOrEqualTo(quiet * 0.9,
                "the outbox's wake-up is not the pending-instance worker's");
            (await TimeAsync(() => outbox.WaitAsync(patience, CancellationToken.None))).Should().BeLessThan(patience / 2, "it is still there for the outbox");

            dispatch.Notify();
            dispatch.Notify();
            (await TimeAsync(() => outbox.WaitAsync(quiet, CancellationToken.None))).Should().BeGreaterThanOrEqualTo(quiet * 0.9);
            (await TimeAsync(() => dispatch.WaitAsync(patience, CancellationToken.None))).Should().BeLessThan(patience / 2);
            (await TimeAsync(() => dispatch.WaitAsync(quiet, CancellationToken.None))).Should().BeGreaterThanOrEqualTo(quiet * 0.9,
                "two signals while the worker was busy collapse into one wake-up");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> wait)
    {
        var clock = Stopwatch.StartNew();
        await wait();
        return clock.Elapsed;
    }
}
