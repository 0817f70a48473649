using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// An EF compiled query, compiled once for each model it runs against. A compiled query skips the per-call LINQ
/// translation but is bound to the first model that ran it, and one process can hold more than one (PostgreSQL and
/// SQLite flavours of a context).
/// </summary>
/// <typeparam name="TQuery">The delegate <see cref="EF.CompileAsyncQuery{TContext, TParam1, TResult}(System.Linq.Expressions.Expression{Func{TContext, TParam1, TResult}})"/> returns.</typeparam>
public sealed class PerModelQuery<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> compiled = new();

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db) => compiled.GetOrAdd(db.Model, _ => compile());
}
