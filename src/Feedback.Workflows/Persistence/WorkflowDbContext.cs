using Feedback.Workflows.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Persistence;

/// <summary>The runtime's tables. Provider-specific subclasses exist only so that each provider has its own migrations.</summary>
public abstract class WorkflowDbContext : DbContext
{
    protected WorkflowDbContext(DbContextOptions options) : base(options)
    {
        // Every transaction here is all-or-nothing: nothing catches a failed SaveChanges and carries on in the same
        // transaction, so EF's per-SaveChanges savepoints would only add two statements to each write.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<WorkflowDefinitionRecord> Definitions => Set<WorkflowDefinitionRecord>();
    public DbSet<WorkflowInstanceRecord> Instances => Set<WorkflowInstanceRecord>();
    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();
    public DbSet<TriggerRecord> Triggers => Set<TriggerRecord>();
    public DbSet<JournalRecord> Journal => Set<JournalRecord>();
    public DbSet<OutboxRecord> Outbox => Set<OutboxRecord>();
    public DbSet<ShippedDefinitionRecord> ShippedDefinitions => Set<ShippedDefinitionRecord>();

    /// <summary>SQL that differs between providers (row locks, queue claims).</summary>
    public abstract DatabaseDialect Dialect { get; }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<WorkflowDefinitionRecord>(e =>
        {
            e.ToTable("workflow_definitions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.DefinitionId, x.Version }).IsUnique();
            e.HasIndex(x => new { x.DefinitionId, x.IsLatest });
            e.HasIndex(x => x.Name);
        });
        model.Entity<WorkflowInstanceRecord>(e =>
        {
            e.ToTable("workflow_instances");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.DefinitionId);
            e.HasIndex(x => x.CorrelationId);
            e.HasIndex(x => new { x.SubStatus, x.UpdatedAt });
        });
        model.Entity<BookmarkRecord>(e =>
        {
            e.ToTable("bookmarks");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Hash);
            e.HasIndex(x => x.WorkflowInstanceId);
            e.HasIndex(x => x.ResumeAt);
        });
        model.Entity<TriggerRecord>(e =>
        {
            e.ToTable("triggers");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Hash);
            e.HasIndex(x => x.DefinitionId);
        });
        model.Entity<JournalRecord>(e =>
        {
            e.ToTable("workflow_journal");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.WorkflowInstanceId, x.Sequence });
        });
        model.Entity<OutboxRecord>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.Id);
            // The claim takes the oldest undelivered message first. A partial index holds only the queue, in that order,
            // so the claim reads one entry instead of sorting the backlog (a plan PostgreSQL chose with a composite
            // index on stale statistics, at 5 ms per claim); the second serves the purge of delivered mail.
            e.HasIndex(x => x.CreatedAt).HasDatabaseName("IX_outbox_messages_undelivered").HasFilter("delivered_at IS NULL");
            e.HasIndex(x => x.DeliveredAt).HasDatabaseName("IX_outbox_messages_delivered").HasFilter("delivered_at IS NOT NULL");
        });
        model.Entity<ShippedDefinitionRecord>(e =>
        {
            e.ToTable("shipped_definitions");
            e.HasKey(x => x.DefinitionId);
        });
        ModelConventions.UseSnakeCaseColumns(model);
    }
}

/// <summary>The PostgreSQL flavour: row locks and SKIP LOCKED queue claims, for many hosts on one database.</summary>
public sealed class PostgresWorkflowDbContext(DbContextOptions<PostgresWorkflowDbContext> options) : WorkflowDbContext(options)
{
    public override DatabaseDialect Dialect => DatabaseDialect.PostgreSql;
}

/// <summary>The embedded SQLite flavour for a single process; cross-request exclusion comes from in-process locks.</summary>
public sealed class SqliteWorkflowDbContext(DbContextOptions<SqliteWorkflowDbContext> options) : WorkflowDbContext(options)
{
    public override DatabaseDialect Dialect => DatabaseDialect.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder builder) => ModelConventions.UseSortableDateTimeOffsets(builder);
}

/// <summary>The provider-specific SQL the runtime needs.</summary>
public sealed record DatabaseDialect(string Name, bool SupportsRowLocks)
{
    public static readonly DatabaseDialect PostgreSql = new("PostgreSql", SupportsRowLocks: true);
    public static readonly DatabaseDialect Sqlite = new("Sqlite", SupportsRowLocks: false);

    /// <summary>Appended to a SELECT to lock the rows until the transaction ends.</summary>
    public string ForUpdate => SupportsRowLocks ? " FOR UPDATE" : "";

    /// <summary>Appended to a queue SELECT so that concurrent workers take different rows.</summary>
    public string ForUpdateSkipLocked => SupportsRowLocks ? " FOR UPDATE SKIP LOCKED" : "";

    /// <summary>Locks one instance row ({0} = id) so that bursts of one instance take turns across hosts.</summary>
    public string LockInstanceSql => "SELECT * FROM workflow_instances WHERE id = {0}" + ForUpdate;

    /// <summary>Claims a dispatched instance ({0} = id) unless another worker holds it.</summary>
    public string ClaimPendingInstanceSql => "SELECT * FROM workflow_instances WHERE id = {0} AND sub_status = 'Pending'" + ForUpdateSkipLocked;

    /// <summary>
    /// PostgreSQL: claims the oldest undelivered messages due at {0} until the lease {1} ends (other hosts and loops skip
    /// rows being claimed, and then see them not due), and returns them.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL the claim is planned afresh on each call, not once per connection: a queue swings between empty
    /// and a backlog, and a plan cached while it was empty sorts the whole backlog on every claim (11 ms with 2,800
    /// messages waiting, against 0.1 ms through the queue index). The setting goes in the same command, so it costs no
    /// round trip of its own; it lasts until the claim's transaction ends.
    /// </remarks>
    public string ClaimOutboxSql => "SET LOCAL plan_cache_mode = force_custom_plan; "
        + "UPDATE outbox_messages SET next_attempt_at = {1}, attempts = attempts + 1 WHERE id IN ("
        + "SELECT id FROM outbox_messages WHERE delivered_at IS NULL AND next_attempt_at <= {0} ORDER BY created_at LIMIT "
        + Runtime.Background.OutboxDispatcherBatch.Size + ForUpdateSkipLocked + ") RETURNING *";

    /// <summary>The collation that compares ids byte by byte (ordinal for ASCII ids), as the scheduler lists its timers.</summary>
    public string OrdinalCollation => SupportsRowLocks ? "C" : "BINARY";

    /// <summary>Locks every version of a definition ({0} = definition id) while it is saved or published.</summary>
    public string LockDefinitionSql => "SELECT * FROM workflow_definitions WHERE definition_id = {0}" + ForUpdate;
}
