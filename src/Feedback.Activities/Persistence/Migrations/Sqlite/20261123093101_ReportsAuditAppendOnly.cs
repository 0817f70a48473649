using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportsAuditAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The audit trail is append-only: no product code path updates or deletes it, and the database refuses to.
            migrationBuilder.Sql("""
                CREATE TRIGGER feedback_case_history_no_update BEFORE UPDATE ON feedback_case_history
                BEGIN SELECT RAISE(ABORT, 'feedback_case_history is append-only: UPDATE is not allowed'); END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER feedback_case_history_no_delete BEFORE DELETE ON feedback_case_history
                BEGIN SELECT RAISE(ABORT, 'feedback_case_history is append-only: DELETE is not allowed'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER feedback_case_history_no_delete;");
            migrationBuilder.Sql("DROP TRIGGER feedback_case_history_no_update;");
        }
    }
}
