namespace Feedback.Workflows.Runtime;

/// <summary>Wakes this process's background workers when it has just committed work for them (other hosts poll).</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled: one wake-up covers all pending work */ }
    }

    /// <summary>Waits for a signal or the poll interval, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        try { await _signal.WaitAsync(pollInterval, cancellationToken); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
    }
}
