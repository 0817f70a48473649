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
public sealed class DatabaseMigrator(IDbContextFactory<WorkflowDbContext> dbFactory, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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
}
