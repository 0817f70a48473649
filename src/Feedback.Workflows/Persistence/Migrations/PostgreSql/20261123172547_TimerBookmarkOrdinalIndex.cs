using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class TimerBookmarkOrdinalIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The timer repair pages through timer bookmarks in ordinal id order (the order Quartz lists its entries
            // in); this index serves those pages as index scans instead of a sort of every pending timer per page.
            migrationBuilder.Sql("CREATE INDEX ix_bookmarks_timer_id_ordinal ON bookmarks (id COLLATE \"C\") WHERE resume_at IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_bookmarks_timer_id_ordinal;");
        }
    }
}
