using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Praise is marked on the case, so reports count it apart from complaints; <see cref="CasePraiseSql"/> marks the
    /// cases stored before.
    /// </summary>
    [DbContext(typeof(SqliteFeedbackDbContext))]
    [Migration("20261124180001_CasePraise")]
    public partial class CasePraise : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "praise",
                table: "feedback_cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            foreach (var statement in CasePraiseSql.Statements) migrationBuilder.Sql(statement);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // EF Core rebuilds the table for a dropped SQLite column only with a target model, which a hand-written
            // migration lacks; SQLite 3.35 and later drop a column themselves.
            migrationBuilder.Sql("ALTER TABLE feedback_cases DROP COLUMN praise");
        }
    }
}
