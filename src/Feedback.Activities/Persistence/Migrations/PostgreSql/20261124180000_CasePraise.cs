using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.PostgreSql
{
    /// <summary>
    /// Praise is marked on the case, so reports count it apart from complaints. Until now praise was what the shipped
    /// positive-review process closed, so those cases are marked, and the repeat facts of the cases sharing a customer
    /// or a product with them are computed again without them.
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

            migrationBuilder.Sql("UPDATE feedback_cases SET praise = TRUE WHERE workflow_definition_id = 'positive-review' AND status = 'Closed'");
            migrationBuilder.Sql("""
                UPDATE feedback_cases AS c SET previous_customer_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                    WHERE (e.customer_key IN (c.customer_key, c.customer_phone_key) OR e.customer_phone_key IN (c.customer_key, c.customer_phone_key))
                      AND e.received_day <= c.received_day AND e.received_at < c.received_at
                      AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
                WHERE c.customer_key IS NOT NULL AND EXISTS (SELECT 1 FROM feedback_cases p WHERE p.praise
                    AND (p.customer_key IN (c.customer_key, c.customer_phone_key) OR p.customer_phone_key IN (c.customer_key, c.customer_phone_key)))
                """);
            migrationBuilder.Sql("""
                UPDATE feedback_cases AS c SET previous_product_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                    WHERE e.product_key = c.product_key AND e.category = c.category AND e.received_day <= c.received_day
                      AND e.received_at < c.received_at AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
                WHERE c.product_key IS NOT NULL AND c.category IS NOT NULL
                  AND EXISTS (SELECT 1 FROM feedback_cases p WHERE p.praise AND p.product_key = c.product_key AND p.category = c.category)
                """);
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
