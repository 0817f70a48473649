using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DefinitionWasPublished : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "was_published",
                table: "workflow_definitions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Versions published now were published; one retracted before this column existed is not known as such.
            migrationBuilder.Sql("UPDATE workflow_definitions SET was_published = is_published");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "was_published",
                table: "workflow_definitions");
        }
    }
}
