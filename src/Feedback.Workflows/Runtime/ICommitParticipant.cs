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
{
    /// <summary>The staged items of type <typeparamref name="T"/>, in the order activities enlisted them.</summary>
    public IEnumerable<T> Items<T>() => Burst.CommitItems.OfType<T>();
}
