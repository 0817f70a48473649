using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TaskReminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "reminded_at",
                table: "feedback_tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "reminders",
                table: "feedback_tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_tasks_status_due_at",
                table: "feedback_tasks",
                columns: new[] { "status", "due_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_tasks_status_due_at",
                table: "feedback_tasks");

            migrationBuilder.DropColumn(
                name: "reminded_at",
                table: "feedback_tasks");

            migrationBuilder.DropColumn(
                name: "reminders",
                table: "feedback_tasks");
        }
    }
}
