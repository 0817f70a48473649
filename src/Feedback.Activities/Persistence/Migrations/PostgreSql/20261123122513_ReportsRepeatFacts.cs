using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReportsRepeatFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "previous_customer_day",
                table: "feedback_cases",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "previous_product_day",
                table: "feedback_cases",
                type: "integer",
                nullable: true);

            // Backfill: the received day of the latest earlier valid case of the same customer, and of the same
            // product and category (kept from now on by RepeatFacts on every save).
            migrationBuilder.Sql("""
                UPDATE feedback_cases AS c SET previous_customer_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                    WHERE e.customer_key = c.customer_key AND e.received_day <= c.received_day AND e.received_at < c.received_at AND e.malicious_reason IS NULL)
                WHERE c.customer_key IS NOT NULL
                """);
            migrationBuilder.Sql("""
                UPDATE feedback_cases AS c SET previous_product_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                    WHERE e.product_key = c.product_key AND e.category = c.category AND e.received_day <= c.received_day
                      AND e.received_at < c.received_at AND e.malicious_reason IS NULL)
                WHERE c.product_key IS NOT NULL AND c.category IS NOT NULL
                """);

            // The report's month scan as an index-only scan: every column the figure queries read rides in the index,
            // so a month is a range of this index instead of one heap page per case.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_feedback_cases_report" ON feedback_cases (received_at) INCLUDE (malicious_reason, channel, lead_department,
                    helper_departments, category, customer_satisfied, escalation_level, rework_count, first_response_seconds, resolution_seconds,
                    customer_key, product_key, received_day, previous_customer_day, previous_product_day)
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_feedback_cases_report";""");

            migrationBuilder.DropColumn(
                name: "previous_customer_day",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "previous_product_day",
                table: "feedback_cases");
        }
    }
}
