using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseEscalationLevel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "escalation_level",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "escalation_level",
                table: "feedback_cases");
        }
    }
}
