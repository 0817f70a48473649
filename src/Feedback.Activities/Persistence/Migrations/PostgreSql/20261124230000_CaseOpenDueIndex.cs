using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The overdue list (open cases past their due time, the longest overdue first) read the due-time index through
    /// every closed case kept. This index holds open cases only; its predicate is the search's own, word for word, so
    /// the planner can prove it. The model is unchanged (the index is raw SQL).
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
    [Migration("20261124230000_CaseOpenDueIndex")]
    public partial class CaseOpenDueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX "IX_feedback_cases_open_due_at" ON feedback_cases (due_at, id) WHERE status <> 'Replied' AND status <> 'Closed';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_feedback_cases_open_due_at";""");
        }
    }
}
