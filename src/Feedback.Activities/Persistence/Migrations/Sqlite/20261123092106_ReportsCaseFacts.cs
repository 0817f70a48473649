using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportsCaseFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "anonymised_at",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "customer_key",
                table: "feedback_cases",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "customer_satisfied",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "due_at",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "first_response_at",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "first_response_seconds",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "legal_hold",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "product_key",
                table: "feedback_cases",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "received_day",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "resolution_seconds",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "resolved_at",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: true);

            // Cases registered before this migration: their received day, decoded from the stored binary
            // DateTimeOffset ((ticks / 1000) << 11 | offset minutes). Customer and product keys need the application's
            // secret and stay empty, so those cases count as first complaints.
            migrationBuilder.Sql("UPDATE feedback_cases SET received_day = ((received_at >> 11) * 1000 - 621355968000000000) / 864000000000;");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_customer_key_received_day",
                table: "feedback_cases",
                columns: new[] { "customer_key", "received_day" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_due_at",
                table: "feedback_cases",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_product_key_category_received_day",
                table: "feedback_cases",
                columns: new[] { "product_key", "category", "received_day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_cases_customer_key_received_day",
                table: "feedback_cases");

            migrationBuilder.DropIndex(
                name: "IX_feedback_cases_due_at",
                table: "feedback_cases");

            migrationBuilder.DropIndex(
                name: "IX_feedback_cases_product_key_category_received_day",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "anonymised_at",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "customer_key",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "customer_satisfied",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "due_at",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "first_response_at",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "first_response_seconds",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "legal_hold",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "product_key",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "received_day",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "resolution_seconds",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "resolved_at",
                table: "feedback_cases");
        }
    }
}
