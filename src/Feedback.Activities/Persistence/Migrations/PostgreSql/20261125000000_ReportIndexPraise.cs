using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The report figures count praise apart, so they read <c>praise</c>: without it among the report index's columns
    /// every case of a month was fetched from the table. The model is unchanged (the index is raw SQL).
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
    [Migration("20261125000000_ReportIndexPraise")]
    public partial class ReportIndexPraise : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_feedback_cases_report";
                CREATE INDEX "IX_feedback_cases_report" ON feedback_cases (received_at) INCLUDE (malicious_reason, duplicate_of, praise, channel,
                    lead_department, helper_departments, category, customer_satisfied, escalation_level, rework_count, first_response_seconds,
                    resolution_seconds, customer_key, product_key, received_day, previous_customer_day, previous_product_day);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_feedback_cases_report";
                CREATE INDEX "IX_feedback_cases_report" ON feedback_cases (received_at) INCLUDE (malicious_reason, duplicate_of, channel,
                    lead_department, helper_departments, category, customer_satisfied, escalation_level, rework_count, first_response_seconds,
                    resolution_seconds, customer_key, product_key, received_day, previous_customer_day, previous_product_day);
                """);
        }
    }
}
