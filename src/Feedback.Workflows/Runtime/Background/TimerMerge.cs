using Feedback.Workflows.Scheduling;

namespace Feedback.Workflows.Runtime.Background;

/// <summary>What one timer reconciliation pass changed.</summary>
/// <param name="Scheduled">Timers stored in the database that had no live scheduler entry and were scheduled.</param>
/// <param name="Removed">Scheduler entries whose bookmark or trigger no longer exists, removed.</param>
public readonly record struct TimerRepair(int Scheduled, int Removed)
{
    /// <summary>Both passes together.</summary>
    public static TimerRepair operator +(TimerRepair a, TimerRepair b) => new(a.Scheduled + b.Scheduled, a.Removed + b.Removed);
}

/// <summary>
/// Walks the stored timers (database, keyset pages by id) and the scheduler's entries (pages in the same ordinal id
/// order) side by side, like a merge join, holding at most one page of each and one page of orphan candidates.
/// </summary>
/// <remarks>
/// A stored timer without a live entry is scheduled again; scheduling is idempotent (the scheduler keeps an existing
/// entry), so an entry the walk failed to see — the scheduler's pages are by position; the walk corrects them for its
/// own additions and removals, but firings and other hosts move entries too — costs one redundant call, never a
/// second timer; an entry seen twice is a candidate that the fresh read below keeps. An entry without a stored timer is an
/// orphan candidate: it is removed only if a fresh database read, made after the entry was listed, still finds no
/// row. Timers are scheduled only after their row commits, so a listed entry whose row is absent at that later
/// read belongs to a row that was deleted, never to one still to come.
/// </remarks>
internal sealed class TimerMerge<TStored>(
    Func<string?, int, CancellationToken, Task<IReadOnlyList<TStored>>> readStoredAfter,
    Func<TStored, string> idOf,
    Func<int, int, CancellationToken, Task<ScheduledIdPage>> listScheduled,
    Func<TStored, CancellationToken, Task> schedule,
    Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlySet<string>>> storedAmong,
    Func<string, CancellationToken, Task> unschedule,
    int pageSize)
{
    public async Task<TimerRepair> RunAsync(CancellationToken cancellationToken)
    {
        var (scheduled, removed) = (0, 0);
        IReadOnlyList<TStored> stored = [];
        var (storedAt, storedMore) = (0, true);
        string? after = null;
        IReadOnlyList<ScheduledId> listed = [];
        var (listedAt, listedMore, skip) = (0, true, 0);
        var orphans = new List<string>();
        while (true)
        {
            if (storedAt == stored.Count && storedMore)
            {
                stored = await readStoredAfter(after, pageSize, cancellationToken);
                (storedAt, storedMore) = (0, stored.Count == pageSize);
                if (stored.Count > 0) after = idOf(stored[^1]);
            }
            if (listedAt == listed.Count && listedMore)
            {
                var page = await listScheduled(skip, pageSize, cancellationToken);
                (listed, listedAt, listedMore) = (page.Items, 0, page.HasMore && page.Items.Count > 0);
                skip += page.Items.Count;
            }
            var (hasStored, hasListed) = (storedAt < stored.Count, listedAt < listed.Count);
            if (!hasStored && !hasListed) break;
            var order = !hasListed ? -1 : !hasStored ? 1 : string.CompareOrdinal(idOf(stored[storedAt]), listed[listedAt].Id);
            if (order < 0)
            {
                await schedule(stored[storedAt++], cancellationToken);
                scheduled++;
                // The new entry sorts before the listed one, inside the part already read: later positions move up.
                if (hasListed) skip++;
            }
            else if (order > 0)
            {
                orphans.Add(listed[listedAt++].Id);
                if (orphans.Count < pageSize) continue;
                var gone = await RemoveOrphansAsync(orphans, cancellationToken);
                // Removed entries were all read already: later positions move down.
                (removed, skip) = (removed + gone, skip - gone);
            }
            else
            {
                // An entry that will never fire again (complete, or given up after errors) is scheduled anew.
                if (!listed[listedAt].Live)
                {
                    await schedule(stored[storedAt], cancellationToken);
                    scheduled++;
                }
                (storedAt, listedAt) = (storedAt + 1, listedAt + 1);
            }
        }
        removed += await RemoveOrphansAsync(orphans, cancellationToken);
        return new TimerRepair(scheduled, removed);
    }

    private async Task<int> RemoveOrphansAsync(List<string> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0) return 0;
        var stillStored = await storedAmong(candidates, cancellationToken);
        var removed = 0;
        foreach (var id in candidates.Where(id => !stillStored.Contains(id)))
        {
            await unschedule(id, cancellationToken);
            removed++;
        }
        candidates.Clear();
        return removed;
    }
}
