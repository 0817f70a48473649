using Feedback.Workflows.Runtime;
using Feedback.Workflows.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>Settings validation and the in-memory store, which need no database.</summary>
public sealed class SchedulingOptionsTests
{
    public static TheoryData<SchedulingOptions> UnusableOptions => new()
    {
        new SchedulingOptions { Clustered = true },
        new SchedulingOptions { PostgresConnectionString = " " },
        new SchedulingOptions { SchedulerName = "" },
        new SchedulingOptions { TablePrefix = "" },
        new SchedulingOptions { MaxConcurrency = 0 },
        new SchedulingOptions { MaxConcurrency = 4, BatchTriggerAcquisitionMaxCount = 5 },
        new SchedulingOptions { CheckinInterval = TimeSpan.Zero },
        new SchedulingOptions { RetryInitialDelay = TimeSpan.FromMinutes(1), RetryMaxDelay = TimeSpan.FromSeconds(1) },
        new SchedulingOptions { RetryMaxAttempts = 0 },
    };

    [Theory]
    [MemberData(nameof(UnusableOptions))]
    public void Unusable_options_are_rejected_at_registration(SchedulingOptions options)
    {
        var act = () => new ServiceCollection().AddWorkflowScheduling(options);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Registering_twice_is_rejected()
    {
        var services = new ServiceCollection().AddWorkflowScheduling(new SchedulingOptions());

        var act = () => services.AddWorkflowScheduling(new SchedulingOptions());

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task In_memory_store_fires_timers_and_triggers()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
        var recorder = new WorkRecorder();
        await using var node = await SchedulerNode.StartAsync("embedded", new SchedulingOptions(), recorder, ct);

        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(At: DateTimeOffset.UtcNow.AddSeconds(0.5)), ct);
        var calls = await recorder.WaitUntilAsync(c => c.Count >= 2, TimeSpan.FromSeconds(10));
        await Task.Delay(1000, ct);

        recorder.Calls.Select(c => (c.Kind, c.Id)).Should().BeEquivalentTo(new[] { ("bookmark", "bm-1"), ("trigger", "tr-1") });
        calls.Should().HaveCount(2);
    }
}
