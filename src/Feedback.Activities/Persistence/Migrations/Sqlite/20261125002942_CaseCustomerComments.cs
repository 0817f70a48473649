using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <summary>Every round's words of the customer on the case; existing cases start with none.</summary>
    public partial class CaseCustomerComments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "customer_comments",
                table: "feedback_cases",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "customer_comments",
                table: "feedback_cases");
        }
    }
}
