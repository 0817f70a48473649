using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// Praise is marked on the case, so reports count it apart from complaints; <see cref="CasePraiseSql"/> marks the
    /// cases stored before.
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
    [Migration("20261124180000_CasePraise")]
    public partial class CasePraise : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "praise",
                table: "feedback_cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            foreach (var statement in CasePraiseSql.Statements) migrationBuilder.Sql(statement);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "praise",
                table: "feedback_cases");
        }
    }
}
