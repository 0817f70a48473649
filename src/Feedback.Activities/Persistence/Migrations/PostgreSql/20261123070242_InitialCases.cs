using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    case_id = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "text", nullable: false),
                    via = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    details = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_case_history", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_case_number_counters",
                columns: table => new
                {
                    year = table.Column<int>(type: "integer", nullable: false),
                    next = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_case_number_counters", x => x.year);
                });

            migrationBuilder.CreateTable(
                name: "feedback_cases",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    number = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    channel = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    anonymous = table.Column<bool>(type: "boolean", nullable: false),
                    customer_name = table.Column<string>(type: "text", nullable: true),
                    customer_phone = table.Column<string>(type: "text", nullable: true),
                    customer_email = table.Column<string>(type: "text", nullable: true),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    title = table.Column<string>(type: "text", nullable: true),
                    content = table.Column<string>(type: "text", nullable: false),
                    product = table.Column<string>(type: "text", nullable: true),
                    requests = table.Column<string>(type: "text", nullable: false),
                    category = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    severity = table.Column<string>(type: "character varying(1)", maxLength: 1, nullable: true),
                    food_safety = table.Column<bool>(type: "boolean", nullable: false),
                    malicious_reason = table.Column<string>(type: "text", nullable: true),
                    duplicate_of = table.Column<string>(type: "text", nullable: true),
                    lead_department = table.Column<string>(type: "text", nullable: true),
                    helper_departments = table.Column<string>(type: "text", nullable: false),
                    owner = table.Column<string>(type: "text", nullable: true),
                    complained_about = table.Column<string>(type: "text", nullable: true),
                    rework_count = table.Column<int>(type: "integer", nullable: false),
                    satisfaction = table.Column<int>(type: "integer", nullable: true),
                    workflow_instance_id = table.Column<string>(type: "text", nullable: false),
                    workflow_definition_id = table.Column<string>(type: "text", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
