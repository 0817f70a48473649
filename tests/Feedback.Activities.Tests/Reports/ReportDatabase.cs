using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Tests.Reports;

/// <summary>A migrated, empty feedback schema on PostgreSQL or SQLite, without a host, for tests that write cases directly.</summary>
public sealed class ReportDatabase : IDbContextFactory<FeedbackDbContext>, IAsyncDisposable
{
    private readonly PostgresDatabase? _postgres;
    private readonly string? _sqliteFile;

    private ReportDatabase(PostgresDatabase? postgres, string? sqliteFile) => (_postgres, _sqliteFile) = (postgres, sqliteFile);

    public static async Task<ReportDatabase> CreateAsync(bool postgres)
    {
        var database = postgres
            ? new ReportDatabase(await PostgresDatabase.CreateAsync(), null)
            : new ReportDatabase(null, Path.Combine(Path.GetTempPath(), $"feedback-reports-{Guid.NewGuid():N}.db"));
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public FeedbackDbContext CreateDbContext() => _postgres is not null
        ? new PostgresFeedbackDbContext(new DbContextOptionsBuilder<PostgresFeedbackDbContext>()
            .UseNpgsql(_postgres.ConnectionString, n => n.MigrationsHistoryTable("__feedback_migrations")).Options)
        : new SqliteFeedbackDbContext(new DbContextOptionsBuilder<SqliteFeedbackDbContext>()
            .UseSqlite($"Data Source={_sqliteFile};Pooling=False", s => s.MigrationsHistoryTable("__feedback_migrations")).Options);

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_sqliteFile is not null && File.Exists(_sqliteFile)) File.Delete(_sqliteFile);
    }
}
