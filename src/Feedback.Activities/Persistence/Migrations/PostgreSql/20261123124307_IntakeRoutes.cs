using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class IntakeRoutes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "intake_routes",
                columns: table => new
                {
                    position = table.Column<int>(type: "integer", nullable: false),
                    channels = table.Column<string>(type: "text", nullable: false),
                    with_product = table.Column<bool>(type: "boolean", nullable: true),
                    process = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_intake_routes", x => x.position);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "intake_routes");
        }
    }
}
