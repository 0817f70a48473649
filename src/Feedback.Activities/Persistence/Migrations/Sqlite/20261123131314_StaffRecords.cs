using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "staff_records",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    department_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    anonymous = table.Column<bool>(type: "INTEGER", nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    author_is_staff = table.Column<bool>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    suggestion = table.Column<string>(type: "TEXT", nullable: true),
                    suggestion_credited_at = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    employee_comment = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    answered_at = table.Column<long>(type: "INTEGER", nullable: true)
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
