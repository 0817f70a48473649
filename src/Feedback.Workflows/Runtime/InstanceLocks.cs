using System.Collections.Concurrent;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// One burst at a time per instance within this process. Across processes the database row lock does the same;
/// this lock keeps same-process contenders off the database and is the only guard on SQLite.
/// </summary>
public sealed class InstanceLocks
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

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
            catch { Release(instanceId, entry, held: false); throw; }
            return new Releaser(this, instanceId, entry);
        }
    }

    private void Release(string instanceId, Entry entry, bool held)
    {
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
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Release(instanceId, entry, held: true);
        }
    }
}
