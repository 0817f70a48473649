using Feedback.Workflows;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Feedback.Activities.Persistence;

/// <summary>
/// The feedback context of one workflow commit, on the runtime's connection and inside its transaction, shared by
/// the participants: the case the case participant read (and locked) is the one the clock participant syncs.
/// </summary>
internal static class CommitContext
{
    // Options carry no connection, so one pool per provider serves every commit; each commit's context is pointed at
    // the step's connection. Pooled because a new context builds EF's internal services again, a few percent of the
    // host's CPU per step; a returned context drops its transaction and tracked rows, and its connection stays ours.
    private static readonly PooledDbContextFactory<PostgresFeedbackDbContext> PostgresContexts =
        new(new DbContextOptionsBuilder<PostgresFeedbackDbContext>().UseNpgsql().Options);
    private static readonly PooledDbContextFactory<SqliteFeedbackDbContext> SqliteContexts =
        new(new DbContextOptionsBuilder<SqliteFeedbackDbContext>().UseSqlite().Options);

    /// <summary>
    /// The commit's context, made on first use and disposed with the scope. What participants stage in it and do not
    /// save themselves is saved once after the last participant, in one round trip.
    /// </summary>
    public static FeedbackDbContext Of(CommitScope scope) => scope.Shared(Open);

    /// <summary>Saves the commit's context.</summary>
    /// <exception cref="InvalidOperationException">A task the step closed does not exist.</exception>
    public static async Task SaveAsync(FeedbackDbContext db, CancellationToken cancellationToken)
    {
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateConcurrencyException e) when (e.Entries.FirstOrDefault()?.Entity is Tasks.FeedbackTask missing)
        {
            throw new InvalidOperationException($"The workflow closed task {missing.Id}, which does not exist.", e);
        }
    }

    /// <summary>A feedback context on the connection and inside the transaction of <paramref name="joined"/>; the caller disposes it.</summary>
    public static FeedbackDbContext Join(JoinedTransaction joined) => Join(joined.Connection, joined.Transaction, joined.Provider);

    private static FeedbackDbContext Open(CommitScope scope)
    {
        var db = Join(scope.Connection, scope.Transaction, scope.Provider);
        scope.Defer(cancellationToken => SaveAsync(db, cancellationToken));
        return db;
    }

    private static FeedbackDbContext Join(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, DatabaseProvider provider)
    {
        FeedbackDbContext db = provider switch
        {
            DatabaseProvider.PostgreSql => PostgresContexts.CreateDbContext(),
            _ => SqliteContexts.CreateDbContext(),
        };
        db.Database.SetDbConnection(connection);
        db.Database.AutoSavepointsEnabled = false; // the joined transaction is all-or-nothing
        db.Database.UseTransaction(transaction);
        return db;
    }

    /// <summary>The case with this number, tracked: the one this commit already holds, else read and locked (PostgreSQL).</summary>
    public static async Task<Cases.FeedbackCase?> CaseAsync(FeedbackDbContext db, string number, CancellationToken cancellationToken) =>
        Tracked(db, number) ?? await db.LockCaseAsync(number, cancellationToken);

    // Reading Local would detect changes across every tracked row first; the save detects them once, at its start.
    private static Cases.FeedbackCase? Tracked(FeedbackDbContext db, string number)
    {
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try { return db.Cases.Local.FirstOrDefault(c => c.Number == number); }
        finally { db.ChangeTracker.AutoDetectChangesEnabled = autoDetect; }
    }
}
