using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxQueueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_delivered_at_created_at",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_delivered_at_next_attempt_at",
                table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_delivered",
                table: "outbox_messages",
                column: "delivered_at",
                filter: "delivered_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_undelivered",
                table: "outbox_messages",
                column: "created_at",
                filter: "delivered_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_delivered",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "IX_outbox_messages_undelivered",
                table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_delivered_at_created_at",
                table: "outbox_messages",
                columns: new[] { "delivered_at", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_delivered_at_next_attempt_at",
                table: "outbox_messages",
                columns: new[] { "delivered_at", "next_attempt_at" });
        }
    }
}
