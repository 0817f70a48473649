using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Tests.Runtime;

/// <summary>One step per instance, and no more than the configured number of steps at once in the host.</summary>
public sealed class InstanceLocksTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Steps_of_different_instances_beyond_the_limit_wait_for_a_free_slot()
    {
        var locks = new InstanceLocks(new WorkflowRuntimeOptions { MaxConcurrentSteps = 2 });
        var first = await locks.AcquireAsync("a", CancellationToken.None);
        var second = await locks.AcquireAsync("b", CancellationToken.None);

        var third = locks.AcquireAsync("c", CancellationToken.None);
        (await Task.WhenAny(third, Task.Delay(Quiet))).Should().NotBeSameAs(third, "two steps already run");

        second.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        first.Dispose();
    }

    [Fact]
    public async Task A_step_waiting_for_its_instance_holds_no_slot()
    {
        var locks = new InstanceLocks(new WorkflowRuntimeOptions { MaxConcurrentSteps = 2 });
        var running = await locks.AcquireAsync("a", CancellationToken.None);
        var queued = locks.AcquireAsync("a", CancellationToken.None);

        // The second slot is free although a step of "a" waits: the one queued on its instance does not hold it.
        var other = await locks.AcquireAsync("b", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        other.Dispose();

        running.Dispose();
        (await queued.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task Giving_up_while_waiting_for_a_slot_releases_the_instance()
    {
        var locks = new InstanceLocks(new WorkflowRuntimeOptions { MaxConcurrentSteps = 1 });
        var busy = await locks.AcquireAsync("a", CancellationToken.None);
        using var cancel = new CancellationTokenSource(Quiet);

        var act = () => locks.AcquireAsync("b", cancel.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        busy.Dispose();

        // "b" is free again and a slot is free: both the instance lock and the slot were given back.
        (await locks.AcquireAsync("b", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        (await locks.AcquireAsync("a", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
