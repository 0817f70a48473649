using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Scheduling;

/// <summary>
/// Removes the timers of bookmarks that are gone, in batches and off the request path: a step that resumed or removed
/// a timer bookmark hands its id here after its commit instead of waiting for the scheduler.
/// </summary>
/// <remarks>
/// <para>
/// Removing a Quartz trigger takes the job store's cluster-wide trigger lock. One removal per finished step, under
/// load, made every step queue on that one row lock; here one batch takes the lock once for everything that piled up
/// while the previous batch ran.
/// </para>
/// <para>
/// Nothing depends on the removal being prompt: the bookmark row, deleted in the step's commit, is the truth. A timer
/// that fires before its removal finds no bookmark and does nothing, and a removal lost to a crash or a failure is done
/// by <see cref="Runtime.Background.TimerReconciler"/>, which removes scheduler entries whose bookmark is gone.
/// Stopping the host drains the queue while the scheduler still runs.
/// </para>
/// </remarks>
public sealed class TimerRemovals(IWorkflowScheduler scheduler, ILogger<TimerRemovals> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Most ids one batch removes.</summary>
    internal const int MaxBatch = 500;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _worker;
    private long _queued;
    private long _handled;
    private int _disposed;
    private TaskCompletionSource _progress = NewProgress();

    /// <summary>Queues the timers of <paramref name="bookmarkIds"/> for removal and returns at once.</summary>
    public void Enqueue(IEnumerable<string> bookmarkIds)
    {
        var written = false;
        foreach (var id in bookmarkIds)
        {
            // Counted before it is written, so that a flush never sees the batch handled before it was counted.
            Interlocked.Increment(ref _queued);
            if (_queue.Writer.TryWrite(id)) written = true;
            else
            {
                Interlocked.Decrement(ref _queued);
                logger.LogDebug("Timer of bookmark {BookmarkId} not queued for removal: stopping; the reconciler removes it", id);
            }
        }
        if (written) EnsureWorker();
    }

    /// <summary>Waits until every removal queued before the call has been tried.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _queued);
        while (Interlocked.Read(ref _handled) < target)
        {
            Task progress;
            lock (_gate) progress = _progress.Task;
            if (Interlocked.Read(ref _handled) >= target) return;
            await progress.WaitAsync(cancellationToken);
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops taking removals and finishes the queued ones, unless the host's stop time runs out first.</summary>
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        Task? worker;
        lock (_gate) worker = _worker;
        if (worker is null) return;
        try
        {
            await worker.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref _disposed) == 0)
        {
            await _stopping.CancelAsync();
        }
    }

    /// <inheritdoc />
    /// <remarks>Idempotent: the container disposes this once as itself and once as the hosted service.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        Task? worker;
        lock (_gate) worker = _worker;
        if (worker is not null) await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private void EnsureWorker()
    {
        if (Volatile.Read(ref _worker) is not null) return;
        lock (_gate) _worker ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var batch = new List<string>(MaxBatch);
        var token = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var id)) batch.Add(id);
                try
                {
                    await scheduler.UnscheduleBookmarksAsync(batch, token);
                }
                // Anything but our own stop, a cancellation from deeper down included: the loop must outlive a bad batch.
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Removing {Count} timers of finished bookmarks failed; the timer reconciler removes them, and until then they fire for nothing", batch.Count);
                }
                Handled(batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed or out of stop time: what is left is the reconciler's.
            Handled(batch.Count + _queue.Reader.Count);
        }
    }

    private void Handled(int count)
    {
        Interlocked.Add(ref _handled, count);
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _progress;
            _progress = NewProgress();
        }
        done.TrySetResult();
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
