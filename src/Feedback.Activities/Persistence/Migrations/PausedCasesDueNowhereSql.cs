namespace Feedback.Activities.Persistence.Migrations;

/// <summary>The statement both providers run to clear the due time of cases whose resolution clock is paused.</summary>
internal static class PausedCasesDueNowhereSql
{
    public const string Statement = """
        UPDATE feedback_cases SET due_at = NULL
        WHERE due_at IS NOT NULL AND number IN (
            SELECT case_number FROM sla_case_clocks WHERE name = 'Resolution' AND state = 'Paused' AND NOT from_flow);
        """;
}
