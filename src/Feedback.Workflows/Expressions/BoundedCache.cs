using System.Diagnostics.CodeAnalysis;

namespace Feedback.Workflows.Expressions;

/// <summary>A thread-safe least-recently-used cache with a fixed capacity, for parsed scripts and templates.</summary>
internal sealed class BoundedCache<TKey, TValue> where TKey : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _index;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly Lock _gate = new();

    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _index = new Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>>(comparer);
    }

    public int Count
    {
        get
        {
            lock (_gate) return _index.Count;
        }
    }

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Returns the cached value or creates it; a factory that throws caches nothing.</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> factory)
    {
        if (TryGet(key, out var cached))
            return cached;

        // Built outside the lock: parsing can be slow and must not serialise unrelated evaluations.
        var created = factory(key);
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var existing))
                return existing.Value.Value;

            _index[key] = _order.AddFirst((key, created));
            while (_index.Count > _capacity && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _index.Remove(oldest.Value.Key);
            }
        }

        return created;
    }
}
