using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Feedback.Activities.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SlaClocks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sla_case_clocks",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    case_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    target = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    basis = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    calendar_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    from_flow = table.Column<bool>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    used = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    used_at = table.Column<long>(type: "INTEGER", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: true),
                    stopped_at = table.Column<long>(type: "INTEGER", nullable: true),
                    breached_at = table.Column<long>(type: "INTEGER", nullable: true),
                    paused_for = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sla_case_clocks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sla_clock_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    clock_id = table.Column<long>(type: "INTEGER", nullable: false),
                    case_number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    clock = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    used = table.Column<TimeSpan>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sla_clock_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sla_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    json = table.Column<string>(type: "TEXT", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sla_settings", x => x.key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sla_case_clocks_case_number_name",
                table: "sla_case_clocks",
                columns: new[] { "case_number", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sla_case_clocks_state",
                table: "sla_case_clocks",
                column: "state");

            migrationBuilder.CreateIndex(
                name: "IX_sla_clock_events_case_number_id",
                table: "sla_clock_events",
                columns: new[] { "case_number", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sla_case_clocks");

            migrationBuilder.DropTable(
                name: "sla_clock_events");

            migrationBuilder.DropTable(
                name: "sla_settings");
        }
    }
}
