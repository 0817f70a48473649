using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class TaskReminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "reminded_at",
                table: "feedback_tasks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "reminders",
                table: "feedback_tasks",
                type: "integer",
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
