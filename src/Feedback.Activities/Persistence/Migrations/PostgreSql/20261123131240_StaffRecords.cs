using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class StaffRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "staff_record_id",
                table: "feedback_case_history",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "staff_records",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    employee = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    department_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    anonymous = table.Column<bool>(type: "boolean", nullable: false),
                    author = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    author_is_staff = table.Column<bool>(type: "boolean", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    suggestion = table.Column<string>(type: "text", nullable: true),
                    suggestion_credited_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    employee_comment = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    answered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_staff_records", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_case_history_staff_record_id",
                table: "feedback_case_history",
                column: "staff_record_id");

            migrationBuilder.CreateIndex(
                name: "IX_staff_records_author_suggestion_credited_at",
                table: "staff_records",
                columns: new[] { "author", "suggestion_credited_at" });

            migrationBuilder.CreateIndex(
                name: "IX_staff_records_employee_created_at",
                table: "staff_records",
                columns: new[] { "employee", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "staff_records");

            migrationBuilder.DropIndex(
                name: "IX_feedback_case_history_staff_record_id",
                table: "feedback_case_history");

            migrationBuilder.DropColumn(
                name: "staff_record_id",
                table: "feedback_case_history");
        }
    }
}
