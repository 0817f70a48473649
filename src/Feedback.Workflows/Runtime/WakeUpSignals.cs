namespace Feedback.Workflows.Runtime;

/// <summary>
/// Wakes one of this process's background workers when it has just committed work for it (other hosts poll). Each
/// worker has its own signal: a shared one let whichever worker waited first take the wake-up meant for the other.
/// </summary>
public abstract class WakeUpSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the worker; signals sent while it is busy collapse into one wake-up.</summary>
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

/// <summary>Wakes the outbox dispatcher: outbox messages were committed.</summary>
public sealed class OutboxSignal : WakeUpSignal;

/// <summary>Wakes the pending-instance worker: an instance was dispatched.</summary>
public sealed class DispatchSignal : WakeUpSignal;
