using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Persistence;

/// <summary>
/// Creates and upgrades the schema before anything else starts. EF Core's migration lock lets several hosts
/// start against one empty database at once.
/// </summary>
/// <remarks>
/// A host that starts while its database server is unreachable (restarting after an outage, or started first by a
/// supervisor) waits for it, up to <see cref="WorkflowRuntimeOptions.DatabaseWaitAtStartup"/>, instead of failing
/// its start-up; a database lost later in the start-up is waited for by <see cref="StartupRetry"/>, which every
/// start-up step that needs the database runs under.
/// </remarks>
public sealed class DatabaseMigrator(IDbContextFactory<WorkflowDbContext> dbFactory, WorkflowRuntimeOptions options, StartupRetry retry, ILogger<DatabaseMigrator> logger) : IHostedService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("runtime schema", MigrateAsync, cancellationToken);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await WaitForDatabaseAsync(db, cancellationToken);
        await PrepareAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0) return;
        logger.LogInformation("Applying {Count} database migrations ({Provider})", pending.Count, db.Dialect.Name);
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Creates the migration history table up front: otherwise EF's first look at it fails on a fresh database and
    /// is logged as an error on every new install, though nothing is wrong.
    /// </summary>
    public static Task PrepareAsync(DbContext db, CancellationToken cancellationToken) =>
        db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Opens a connection, retrying transient failures until the wait is spent; the last failure is thrown.</summary>
    private async Task WaitForDatabaseAsync(DbContext db, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The ADO connection itself, not EF's: EF would log every refused attempt as an error.
                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync(cancellationToken);
                await connection.CloseAsync();
                if (attempt > 1) logger.LogInformation("The database is reachable after {Seconds:0.0} s", waited.Elapsed.TotalSeconds);
                return;
            }
            catch (DbException e) when (e.IsTransient && waited.Elapsed + delay < options.DatabaseWaitAtStartup)
            {
                logger.LogWarning("The database is not reachable ({Reason}); attempt {Attempt}, trying again in {Delay:0.0} s",
                    e.Message, attempt, delay.TotalSeconds);
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }
}
