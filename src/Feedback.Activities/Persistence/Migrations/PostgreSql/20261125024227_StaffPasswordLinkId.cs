using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>Staff credentials remember the newest password link, so a new link cancels the earlier ones.</summary>
    public partial class StaffPasswordLinkId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "password_link_id",
                table: "staff_credentials",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "password_link_id",
                table: "staff_credentials");
        }
    }
}
