using System.Data.Common;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// Writes domain data in the same transaction as a burst, so that a case and the workflow that handles it change
/// together or not at all. Activities stage the changes with <see cref="ActivityExecutionContext.Enlist"/>.
/// </summary>
public interface ICommitParticipant
{
    /// <summary>Applies this participant's staged items; throwing rolls the whole burst back.</summary>
    Task CommitAsync(CommitScope scope, CancellationToken cancellationToken);
}

/// <summary>The open connection and transaction of a burst's commit, and what the burst staged.</summary>
/// <param name="Provider">Which database the connection belongs to.</param>
public sealed record CommitScope(DbConnection Connection, DbTransaction Transaction, DatabaseProvider Provider, WorkflowExecutionContext Burst)
    : IAsyncDisposable
{
    private readonly Dictionary<Type, object> shared = [];
    private readonly List<Func<CancellationToken, Task>> deferred = [];

    /// <summary>The staged items of type <typeparamref name="T"/>, in the order activities enlisted them.</summary>
    public IEnumerable<T> Items<T>() => Burst.CommitItems.OfType<T>();

    /// <summary>
    /// One object per type for all participants of this commit, made on first use: participants that write the same
    /// rows share a unit of work, so a row one of them read is not read again by the next. Disposed with the scope.
    /// </summary>
    public T Shared<T>(Func<CommitScope, T> create) where T : class
    {
        if (shared.TryGetValue(typeof(T), out var existing)) return (T)existing;
        var made = create(this);
        shared.Add(typeof(T), made);
        return made;
    }

    /// <summary>
    /// Adds a write that runs once every participant has run, in the order added: participants that share a unit of
    /// work (see <see cref="Shared{T}"/>) stage into it and it is saved once, in one round trip, instead of once each.
    /// </summary>
    public void Defer(Func<CancellationToken, Task> write) => deferred.Add(write);

    /// <summary>Runs the deferred writes; the runtime calls it after the last participant, before it commits.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var write in deferred) await write(cancellationToken);
        deferred.Clear();
    }

    /// <summary>Disposes the shared objects; the connection and transaction belong to the runtime.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var value in shared.Values)
            if (value is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
            else if (value is IDisposable disposable) disposable.Dispose();
        shared.Clear();
    }
}
