using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // SQLite drops a column itself (3.35 and later); EF's table rebuild would need the model before this
            // migration, which the one before it, written by hand, does not carry.
            migrationBuilder.Sql("ALTER TABLE staff_credentials DROP COLUMN password_link_id;");
        }
    }
}
