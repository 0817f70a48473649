using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feedback_case_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    case_id = table.Column<long>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    via = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    details = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_case_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_case_number_counters",
                columns: table => new
                {
                    year = table.Column<int>(type: "INTEGER", nullable: false),
                    next = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_case_number_counters", x => x.year);
                });

            migrationBuilder.CreateTable(
                name: "feedback_cases",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    anonymous = table.Column<bool>(type: "INTEGER", nullable: false),
                    customer_name = table.Column<string>(type: "TEXT", nullable: true),
                    customer_phone = table.Column<string>(type: "TEXT", nullable: true),
                    customer_email = table.Column<string>(type: "TEXT", nullable: true),
                    language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    title = table.Column<string>(type: "TEXT", nullable: true),
                    content = table.Column<string>(type: "TEXT", nullable: false),
                    product = table.Column<string>(type: "TEXT", nullable: true),
                    requests = table.Column<string>(type: "TEXT", nullable: false),
                    category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    severity = table.Column<string>(type: "TEXT", maxLength: 1, nullable: true),
                    food_safety = table.Column<bool>(type: "INTEGER", nullable: false),
                    malicious_reason = table.Column<string>(type: "TEXT", nullable: true),
                    duplicate_of = table.Column<string>(type: "TEXT", nullable: true),
                    lead_department = table.Column<string>(type: "TEXT", nullable: true),
                    helper_departments = table.Column<string>(type: "TEXT", nullable: false),
                    owner = table.Column<string>(type: "TEXT", nullable: true),
                    complained_about = table.Column<string>(type: "TEXT", nullable: true),
                    rework_count = table.Column<int>(type: "INTEGER", nullable: false),
                    satisfaction = table.Column<int>(type: "INTEGER", nullable: true),
                    workflow_instance_id = table.Column<string>(type: "TEXT", nullable: false),
                    workflow_definition_id = table.Column<string>(type: "TEXT", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_cases", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_case_history_case_id_id",
                table: "feedback_case_history",
                columns: new[] { "case_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_idempotency_key",
                table: "feedback_cases",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_lead_department_status",
                table: "feedback_cases",
                columns: new[] { "lead_department", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_number",
                table: "feedback_cases",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_received_at",
                table: "feedback_cases",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_workflow_instance_id",
                table: "feedback_cases",
                column: "workflow_instance_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "feedback_case_history");

            migrationBuilder.DropTable(
                name: "feedback_case_number_counters");

            migrationBuilder.DropTable(
                name: "feedback_cases");
        }
    }
}
