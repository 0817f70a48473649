using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "previous_product_day",
                table: "feedback_cases",
                type: "INTEGER",
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "previous_customer_day",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "previous_product_day",
                table: "feedback_cases");
        }
    }
}
