using Feedback.Workflows.Runtime;
using Feedback.Workflows.Scheduling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>Timer removals leave the request path and reach the scheduler in batches, one lock per batch.</summary>
public sealed class TimerRemovalsTests
{
    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Removals_queued_while_a_batch_runs_go_to_the_scheduler_together_in_the_next_one()
    {
        var ct = Bounded();
        var scheduler = new BatchRecorder { HoldFirstBatch = true };
        await using var removals = new TimerRemovals(scheduler, Logger(out _));

        removals.Enqueue(["first"]);
        await scheduler.FirstBatchStarted.Task.WaitAsync(ct);
        var later = Enumerable.Range(0, 300).Select(i => $"bm-{i}").ToList();
        removals.Enqueue(later);
        scheduler.ReleaseFirstBatch.SetResult();
        await removals.FlushAsync(ct);

        scheduler.Batches.Should().HaveCount(2);
        scheduler.Batches[0].Should().Equal("first");
        scheduler.Batches[1].Should().Equal(later, "everything that piled up while the first batch ran goes in one call");
    }

    [Fact]
    public async Task A_batch_larger_than_the_limit_is_split()
    {
        var ct = Bounded();
        var scheduler = new BatchRecorder { HoldFirstBatch = true };
        await using var removals = new TimerRemovals(scheduler, Logger(out _));

        removals.Enqueue(["first"]);
        await scheduler.FirstBatchStarted.Task.WaitAsync(ct);
        removals.Enqueue(Enumerable.Range(0, TimerRemovals.MaxBatch + 1).Select(i => $"bm-{i}"));
        scheduler.ReleaseFirstBatch.SetResult();
        await removals.FlushAsync(ct);

        scheduler.Batches.Select(b => b.Count).Should().Equal(1, TimerRemovals.MaxBatch, 1);
    }

    [Fact]
    public async Task A_failed_batch_is_logged_as_left_to_the_reconciler_and_later_batches_still_run()
    {
        var ct = Bounded();
        var scheduler = new BatchRecorder { FailFirstBatch = true };
        await using var removals = new TimerRemovals(scheduler, Logger(out var logs));

        removals.Enqueue(["lost"]);
        await removals.FlushAsync(ct);
        removals.Enqueue(["kept"]);
        await removals.FlushAsync(ct);

        scheduler.Batches.Should().HaveCount(2);
        scheduler.Batches[1].Should().Equal("kept");
        logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning && e.Message.Contains("reconciler") && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task A_batch_cancelled_from_below_does_not_stop_the_loop()
    {
        var ct = Bounded();
        var scheduler = new BatchRecorder { FirstBatchThrows = new TaskCanceledException("a timeout deep in the job store") };
        await using var removals = new TimerRemovals(scheduler, Logger(out var logs));

        removals.Enqueue(["cut"]);
        await removals.FlushAsync(ct);
        removals.Enqueue(["next"]);
        await removals.FlushAsync(ct);

        scheduler.Batches.Should().HaveCount(2);
        logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Stopping_the_host_finishes_the_queued_removals()
    {
        var ct = Bounded();
        var scheduler = new BatchRecorder { Delay = TimeSpan.FromMilliseconds(100) };
        await using var removals = new TimerRemovals(scheduler, Logger(out _));
        IHostedService hosted = removals;
        await hosted.StartAsync(ct);

        removals.Enqueue(["a"]);
        removals.Enqueue(["b", "c"]);
        await hosted.StopAsync(ct);

        scheduler.Batches.SelectMany(b => b).Should().Equal("a", "b", "c");
        removals.Enqueue(["after-stop"]);
        await removals.FlushAsync(ct);
        scheduler.Batches.SelectMany(b => b).Should().NotContain("after-stop", "a stopping host leaves new removals to the reconciler");
    }

    private static ILogger<TimerRemovals> Logger(out CapturingLoggerProvider logs)
    {
        logs = new CapturingLoggerProvider();
        return new LoggerFactory([logs]).CreateLogger<TimerRemovals>();
    }

    /// <summary>Records each batch; can hold the first one open, fail it, or take a while per batch.</summary>
    private sealed class BatchRecorder : IWorkflowScheduler
    {
        private readonly List<IReadOnlyList<string>> _batches = [];

        public bool HoldFirstBatch { get; init; }
        public bool FailFirstBatch { get; init; }
        public Exception? FirstBatchThrows { get; init; }
        public TimeSpan Delay { get; init; }
        public TaskCompletionSource FirstBatchStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseFirstBatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<IReadOnlyList<string>> Batches { get { lock (_batches) return _batches.ToList(); } }

        public async Task UnscheduleBookmarksAsync(IReadOnlyCollection<string> bookmarkIds, CancellationToken cancellationToken)
        {
            int number;
            lock (_batches)
            {
                _batches.Add(bookmarkIds.ToList());
                number = _batches.Count;
            }
            if (number == 1)
            {
                FirstBatchStarted.SetResult();
                if (HoldFirstBatch) await ReleaseFirstBatch.Task.WaitAsync(cancellationToken);
                if (FailFirstBatch) throw new InvalidOperationException("the job store is away");
                if (FirstBatchThrows is not null) throw FirstBatchThrows;
            }
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        }

        public Task UnscheduleBookmarkAsync(string bookmarkId, CancellationToken cancellationToken) => throw new NotSupportedException("removals come in batches");
        public Task ScheduleBookmarkAsync(string bookmarkId, string workflowInstanceId, DateTimeOffset resumeAt, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task ScheduleTriggerAsync(string triggerId, TriggerSchedule schedule, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UnscheduleTriggerAsync(string triggerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlySet<string>> GetScheduledBookmarkIdsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlySet<string>> GetScheduledTriggerIdsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
