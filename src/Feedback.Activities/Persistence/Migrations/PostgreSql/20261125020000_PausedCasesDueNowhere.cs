using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// A case whose resolution clock is paused has no due time any more; the cases paused before kept the one their last
    /// step computed, which counted them due, and late, in a month they were not. The model is unchanged.
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
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
