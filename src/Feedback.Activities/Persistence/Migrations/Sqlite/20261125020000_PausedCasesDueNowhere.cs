using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <summary>See the PostgreSQL migration of the same name: paused cases are due nowhere. The model is unchanged.</summary>
    [DbContext(typeof(SqliteFeedbackDbContext))]
    [Migration("20261125020000_PausedCasesDueNowhere")]
    public partial class PausedCasesDueNowhere : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(PausedCasesDueNowhereSql.Statement);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The stale due times are not worth restoring; the next step of each case computes its due time again.
        }
    }
}
