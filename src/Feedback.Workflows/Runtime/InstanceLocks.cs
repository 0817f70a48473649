using System.Collections.Concurrent;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// One burst at a time per instance within this process, and at most <see cref="WorkflowRuntimeOptions.MaxConcurrentSteps"/>
/// bursts at once in all. Across processes the database row lock does the same per instance; this lock keeps
/// same-process contenders off the database and is the only guard on SQLite.
/// </summary>
/// <remarks>
/// The overall limit is admission control: steps beyond it wait here, holding nothing, instead of holding a database
/// transaction and connection while the processor is busy with the others (docs/BENCHMARKS.md, "Resume: fewer reads
/// per step, and admission control"). No burst takes a second instance's lock, so the limit cannot deadlock.
/// </remarks>
public sealed class InstanceLocks(WorkflowRuntimeOptions options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private readonly SemaphoreSlim _steps = new(Math.Max(1, options.MaxConcurrentSteps));

    public async Task<IDisposable> AcquireAsync(string instanceId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(instanceId, _ => new Entry());
            lock (entry)
            {
                if (entry.Retired) continue;
                entry.Users++;
            }
            try { await entry.Semaphore.WaitAsync(cancellationToken); }
            catch { Release(instanceId, entry, held: false, stepHeld: false); throw; }
            // The instance first, then a step slot: a step queued behind another on the same instance holds no slot.
            try { await _steps.WaitAsync(cancellationToken); }
            catch { Release(instanceId, entry, held: true, stepHeld: false); throw; }
            return new Releaser(this, instanceId, entry);
        }
    }

    private void Release(string instanceId, Entry entry, bool held, bool stepHeld)
    {
        if (stepHeld) _steps.Release();
        if (held) entry.Semaphore.Release();
        lock (entry)
        {
            if (--entry.Users > 0) return;
            entry.Retired = true;
            _entries.TryRemove(new KeyValuePair<string, Entry>(instanceId, entry));
        }
    }

    private sealed class Entry
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
        public bool Retired;
    }

    private sealed class Releaser(InstanceLocks owner, string instanceId, Entry entry) : IDisposable
    {
        private int _disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Release(instanceId, entry, held: true, stepHeld: true);
        }
    }
}
