using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Runtime.Background;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Feedback.Workflows;

/// <summary>Which database the runtime uses.</summary>
public enum DatabaseProvider
{
    /// <summary>A local file; one process; no server to set up. The default.</summary>
    Sqlite,
    /// <summary>PostgreSQL: many host processes on one database, clustered timers.</summary>
    PostgreSql,
}

/// <summary>How to set up the workflow runtime.</summary>
public sealed class WorkflowRuntimeOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Npgsql or SQLite connection string.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/feedback.db";
    /// <summary>Extra activity assemblies (the feedback domain registers its own).</summary>
    public List<System.Reflection.Assembly> ActivityAssemblies { get; } = new();
    /// <summary>Limits for JavaScript expressions.</summary>
    public Action<JavaScriptOptions>? JavaScript { get; set; }
    /// <summary>A folder of Elsa JSON definitions published at start-up (see <see cref="ShippedDefinitionLoader"/>); null loads none.</summary>
    public string? ShippedDefinitionsFolder { get; set; }
    /// <summary>Start the background workers (outbox, dispatched instances, timer repair, scheduler). Tests may turn this off.</summary>
    public bool RunBackgroundWorkers { get; set; } = true;
    /// <summary>How many outbox deliveries one host runs at once on PostgreSQL; SQLite, without row locks, always runs one.</summary>
    public int OutboxConcurrency { get; set; } = 4;
    /// <summary>
    /// Where the outbox notes deliveries before the database records them (see <see cref="OutboxJournal"/>), so that a host
    /// killed mid-delivery does not send a mail twice when it, or another host on the machine, starts again. Null keeps the
    /// notes in memory only.
    /// </summary>
    public string? OutboxJournalFolder { get; set; }
    /// <summary>How long a claimed outbox message stays with its host: the wait before another host sends it if that host dies for good.</summary>
    public TimeSpan OutboxLease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How many workflow steps one host runs at once; more wait their turn (see <see cref="Runtime.InstanceLocks"/>).</summary>
    public int MaxConcurrentSteps { get; set; } = DefaultMaxConcurrentSteps;
    /// <summary>The default step limit: four per processor.</summary>
    public static int DefaultMaxConcurrentSteps => 4 * Environment.ProcessorCount;
    /// <summary>How long start-up waits for an unreachable database server (transient connection failures) before it fails.</summary>
    public TimeSpan DatabaseWaitAtStartup { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Service registration for the runtime.</summary>
public static class WorkflowServiceCollectionExtensions
{
    /// <summary>Registers the runtime: persistence, executor, stores, scheduler and background workers.</summary>
    public static IServiceCollection AddFeedbackWorkflows(this IServiceCollection services, Action<WorkflowRuntimeOptions> configure)
    {
        var options = new WorkflowRuntimeOptions();
        configure(options);
        if (options.Provider == DatabaseProvider.PostgreSql)
            options.ConnectionString = PostgresConnectionDefaults.Apply(options.ConnectionString);
        services.AddSingleton(options);

        switch (options.Provider)
        {
            case DatabaseProvider.PostgreSql:
                services.AddPooledDbContextFactory<PostgresWorkflowDbContext>(o => o.UseNpgsql(options.ConnectionString));
                services.AddSingleton<IDbContextFactory<WorkflowDbContext>>(sp => new UpcastFactory<PostgresWorkflowDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresWorkflowDbContext>>()));
                break;
            default:
                EnsureSqliteFolder(options.ConnectionString);
                services.AddPooledDbContextFactory<SqliteWorkflowDbContext>(o => o.UseSqlite(options.ConnectionString));
                services.AddSingleton<IDbContextFactory<WorkflowDbContext>>(sp => new UpcastFactory<SqliteWorkflowDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteWorkflowDbContext>>()));
                break;
        }

        // Built on first use, so that domain modules registered after this call can still add their activities.
        services.AddSingleton(_ =>
        {
            var registry = new ActivityRegistry().AddFromAssembly(typeof(WorkflowServiceCollectionExtensions).Assembly);
            foreach (var assembly in options.ActivityAssemblies.Distinct()) registry.AddFromAssembly(assembly);
            return registry;
        });
        services.AddWorkflowExpressions(options.JavaScript);
        services.TryAddSingleton<IClock, SystemClock>();
        services.AddSingleton<WorkflowDefinitionReader>();
        services.AddSingleton<WorkflowModelCache>();
        services.AddSingleton<WorkflowExecutor>();
        services.AddSingleton<TriggerIndexer>();
        services.AddSingleton<InstanceLocks>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<WorkflowDefinitionStore>();
        services.AddSingleton<WorkflowInstanceStore>();
        services.AddSingleton<WorkflowRuntime>();
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<IScheduledWorkHandler>(sp => sp.GetRequiredService<WorkflowRuntime>());
        services.AddSingleton<IOutboxHandler, PublishEventOutboxHandler>();
        if (options.OutboxLease < OutboxDispatcherBatch.MinimumLease)
            throw new ArgumentOutOfRangeException(nameof(configure), options.OutboxLease,
                $"OutboxLease must be at least {OutboxDispatcherBatch.MinimumLease.TotalSeconds:0} s: a delivery must end {OutboxDispatcherBatch.LeaseMargin.TotalSeconds:0} s before the lease does.");
        services.AddSingleton(sp => new OutboxJournal(options.OutboxJournalFolder, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OutboxJournal>>()));
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<PendingInstanceWorker>();
        services.AddSingleton<TimerReconciler>();

        // Order matters: the schema exists before the scheduler and the workers start.
        services.AddSingleton<StartupRetry>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<ShippedDefinitionLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<ShippedDefinitionLoader>());
        services.AddWorkflowScheduling(new SchedulingOptions
        {
            Clustered = options.Provider == DatabaseProvider.PostgreSql,
            PostgresConnectionString = options.Provider == DatabaseProvider.PostgreSql ? options.ConnectionString : null,
        });
        // After the scheduler's hosted service, so that it stops first and drains its queue while the scheduler runs.
        services.AddSingleton<TimerRemovals>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerRemovals>());
        if (options.RunBackgroundWorkers)
        {
            services.AddHostedService(sp => sp.GetRequiredService<TimerReconciler>());
            services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
            services.AddHostedService(sp => sp.GetRequiredService<PendingInstanceWorker>());
        }
        return services;
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
    }

    /// <summary>Lets code ask for the provider-neutral context while each provider keeps its own migrations.</summary>
    private sealed class UpcastFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<WorkflowDbContext>
        where TContext : WorkflowDbContext
    {
        public WorkflowDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<WorkflowDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => await inner.CreateDbContextAsync(cancellationToken);
    }
}
