using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DirectoryAndTasks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "departments",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    head = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_departments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_tasks",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    workflow_instance_id = table.Column<string>(type: "TEXT", nullable: false),
                    bookmark_id = table.Column<string>(type: "TEXT", nullable: false),
                    activity_id = table.Column<string>(type: "TEXT", nullable: false),
                    case_number = table.Column<string>(type: "TEXT", nullable: true),
                    title = table.Column<string>(type: "TEXT", nullable: false),
                    instructions = table.Column<string>(type: "TEXT", nullable: true),
                    assignee = table.Column<string>(type: "TEXT", nullable: true),
                    role = table.Column<string>(type: "TEXT", nullable: true),
                    department_id = table.Column<string>(type: "TEXT", nullable: true),
                    fields = table.Column<string>(type: "TEXT", nullable: false),
                    actions = table.Column<string>(type: "TEXT", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    claimed_by = table.Column<string>(type: "TEXT", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", nullable: true),
                    completed_action = table.Column<string>(type: "TEXT", nullable: true),
                    completed_values = table.Column<string>(type: "TEXT", nullable: true),
                    completion_key = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_tasks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "routing_rules",
                columns: table => new
                {
                    category = table.Column<string>(type: "TEXT", nullable: false),
                    lead_department = table.Column<string>(type: "TEXT", nullable: false),
                    helper_departments = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_routing_rules", x => x.category);
                });

            migrationBuilder.CreateTable(
                name: "staff_members",
                columns: table => new
                {
                    user_name = table.Column<string>(type: "TEXT", nullable: false),
                    display_name = table.Column<string>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", nullable: true),
                    department_id = table.Column<string>(type: "TEXT", nullable: false),
                    roles = table.Column<string>(type: "TEXT", nullable: false),
                    active = table.Column<bool>(type: "INTEGER", nullable: false),
                    absent_until = table.Column<long>(type: "INTEGER", nullable: true),
                    @delegate = table.Column<string>(name: "delegate", type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_staff_members", x => x.user_name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_tasks_assignee_status",
                table: "feedback_tasks",
                columns: new[] { "assignee", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_tasks_bookmark_id",
                table: "feedback_tasks",
                column: "bookmark_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_tasks_case_number",
                table: "feedback_tasks",
                column: "case_number");

            migrationBuilder.CreateIndex(
                name: "IX_feedback_tasks_department_id_status",
                table: "feedback_tasks",
                columns: new[] { "department_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_staff_members_department_id",
                table: "staff_members",
                column: "department_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "departments");

            migrationBuilder.DropTable(
                name: "feedback_tasks");

            migrationBuilder.DropTable(
                name: "routing_rules");

            migrationBuilder.DropTable(
                name: "staff_members");
        }
    }
}
