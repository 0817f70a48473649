using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxClaimOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_delivered_at_created_at",
                table: "outbox_messages",
                columns: new[] { "delivered_at", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_delivered_at_created_at",
                table: "outbox_messages");
        }
    }
}
