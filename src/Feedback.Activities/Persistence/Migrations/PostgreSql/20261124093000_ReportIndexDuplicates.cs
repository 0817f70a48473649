using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// The report figures now leave duplicates out, so they read <c>duplicate_of</c>: it joins the columns that ride in
    /// the report index, which keeps a month an index-only scan. The model is unchanged (the index is raw SQL).
    /// </summary>
    [DbContext(typeof(PostgresFeedbackDbContext))]
    [Migration("20261124093000_ReportIndexDuplicates")]
    public partial class ReportIndexDuplicates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_feedback_cases_report";
                CREATE INDEX "IX_feedback_cases_report" ON feedback_cases (received_at) INCLUDE (malicious_reason, duplicate_of, channel,
                    lead_department, helper_departments, category, customer_satisfied, escalation_level, rework_count, first_response_seconds,
                    resolution_seconds, customer_key, product_key, received_day, previous_customer_day, previous_product_day);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX "IX_feedback_cases_report";
                CREATE INDEX "IX_feedback_cases_report" ON feedback_cases (received_at) INCLUDE (malicious_reason, channel, lead_department,
                    helper_departments, category, customer_satisfied, escalation_level, rework_count, first_response_seconds, resolution_seconds,
                    customer_key, product_key, received_day, previous_customer_day, previous_product_day);
                """);
        }
    }
}
