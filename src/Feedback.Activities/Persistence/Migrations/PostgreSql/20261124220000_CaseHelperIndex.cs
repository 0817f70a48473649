using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The cases a department helps with are found by a containment test on <c>helper_departments</c> read as
    /// <c>jsonb</c>; this GIN index answers it without reading every case kept (three years of them). The model is
    /// unchanged (the index is raw SQL on an expression EF does not model).
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
    [Migration("20261124220000_CaseHelperIndex")]
    public partial class CaseHelperIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX "IX_feedback_cases_helper_departments" ON feedback_cases USING gin ((helper_departments::jsonb) jsonb_path_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_feedback_cases_helper_departments";""");
        }
    }
}
