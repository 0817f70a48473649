using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Feedback.Activities.Persistence;

// Used only by `dotnet ef migrations add`.
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFeedbackDbContext>
{
    public PostgresFeedbackDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresFeedbackDbContext>().UseNpgsql("Host=localhost;Database=design", n => n.MigrationsHistoryTable("__feedback_migrations")).Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFeedbackDbContext>
{
    public SqliteFeedbackDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteFeedbackDbContext>().UseSqlite("Data Source=design.db", s => s.MigrationsHistoryTable("__feedback_migrations")).Options);
}
