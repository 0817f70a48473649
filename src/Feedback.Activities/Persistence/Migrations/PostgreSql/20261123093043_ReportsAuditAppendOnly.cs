using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReportsAuditAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The audit trail is append-only: no product code path updates or deletes it, and the database refuses to.
            migrationBuilder.Sql("""
                CREATE FUNCTION feedback_case_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'feedback_case_history is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER feedback_case_history_no_change BEFORE UPDATE OR DELETE ON feedback_case_history
                    FOR EACH ROW EXECUTE FUNCTION feedback_case_history_append_only();
                CREATE TRIGGER feedback_case_history_no_truncate BEFORE TRUNCATE ON feedback_case_history
                    FOR EACH STATEMENT EXECUTE FUNCTION feedback_case_history_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER feedback_case_history_no_truncate ON feedback_case_history;
                DROP TRIGGER feedback_case_history_no_change ON feedback_case_history;
                DROP FUNCTION feedback_case_history_append_only();
                """);
        }
    }
}
