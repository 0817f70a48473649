namespace Feedback.Activities.Persistence.Migrations;

/// <summary>
/// The data step of the CasePraise migration, the same on both databases: until then praise was what the shipped
/// positive-review process closed, and the repeat facts of the cases sharing a customer or a product with it are
/// computed again without it.
/// </summary>
internal static class CasePraiseSql
{
    public static readonly string[] Statements =
    [
        "UPDATE feedback_cases SET praise = TRUE WHERE workflow_definition_id = 'positive-review' AND status = 'Closed'",
        """
            UPDATE feedback_cases AS c SET previous_customer_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                WHERE (e.customer_key IN (c.customer_key, c.customer_phone_key) OR e.customer_phone_key IN (c.customer_key, c.customer_phone_key))
                  AND e.received_day <= c.received_day AND e.received_at < c.received_at
                  AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
            WHERE c.customer_key IS NOT NULL AND EXISTS (SELECT 1 FROM feedback_cases p WHERE p.praise
                AND (p.customer_key IN (c.customer_key, c.customer_phone_key) OR p.customer_phone_key IN (c.customer_key, c.customer_phone_key)))
            """,
        """
            UPDATE feedback_cases AS c SET previous_product_day = (SELECT MAX(e.received_day) FROM feedback_cases e
                WHERE e.product_key = c.product_key AND e.category = c.category AND e.received_day <= c.received_day
                  AND e.received_at < c.received_at AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
            WHERE c.product_key IS NOT NULL AND c.category IS NOT NULL
              AND EXISTS (SELECT 1 FROM feedback_cases p WHERE p.praise AND p.product_key = c.product_key AND p.category = c.category)
            """,
    ];
}
