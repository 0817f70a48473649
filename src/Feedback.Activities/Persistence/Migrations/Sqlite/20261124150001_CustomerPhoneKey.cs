using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// A case with both an e-mail and a phone keeps the phone's keyed hash too, so repeats match on either contact.
    /// The hash needs the customer-key secret, which the database does not hold: cases stored before keep only their
    /// first key, and new cases are matched against it as before.
    /// </summary>
    [DbContext(typeof(SqliteFeedbackDbContext))]
    [Migration("20261124150001_CustomerPhoneKey")]
    public partial class CustomerPhoneKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "customer_phone_key",
                table: "feedback_cases",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_cases_customer_phone_key_received_day",
                table: "feedback_cases",
                columns: new[] { "customer_phone_key", "received_day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_feedback_cases_customer_phone_key_received_day",
                table: "feedback_cases");

            migrationBuilder.DropColumn(
                name: "customer_phone_key",
                table: "feedback_cases");
        }
    }
}
