using System.Security.Cryptography;
using System.Text;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Feedback.Activities.Reports;

/// <summary>
/// Keeps each case's <see cref="FeedbackCase.PreviousCustomerDay"/> and <see cref="FeedbackCase.PreviousProductDay"/>:
/// the received day of the latest earlier valid (not malicious, not a duplicate) complaint (not praise) of the same customer (one sharing
/// either of its customer keys, e-mail or phone), or of the same product and category. A case is a repeat when that day lies within the repeat window, so reports compare two
/// columns of the row instead of probing the table once per case, and the window stays a report setting.
/// </summary>
/// <remarks>
/// Whenever a save adds, deletes or re-keys a case (customer key, product key, category, receipt, malicious reason,
/// duplicate mark, praise), the values of every case of the old and new keys received on or after that case's day are
/// recomputed in the same transaction. On PostgreSQL a transaction-scoped advisory lock per key serialises two saves of the same customer or
/// product, so the second one's recomputation sees the first one's cases; SQLite has one writer at a time anyway.
/// </remarks>
public static class RepeatFacts
{
    /// <summary>Recomputes the customer value of every keyed case (the migration's backfill, and after bulk loads).</summary>
    public const string BackfillCustomerSql = """
        UPDATE feedback_cases AS c SET previous_customer_day = (SELECT MAX(e.received_day) FROM feedback_cases e
            WHERE (e.customer_key IN (c.customer_key, c.customer_phone_key) OR e.customer_phone_key IN (c.customer_key, c.customer_phone_key))
              AND e.received_day <= c.received_day AND e.received_at < c.received_at AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
        WHERE c.customer_key IS NOT NULL
        """;

    /// <summary>Recomputes the product value of every case with a product key and a category.</summary>
    public const string BackfillProductSql = """
        UPDATE feedback_cases AS c SET previous_product_day = (SELECT MAX(e.received_day) FROM feedback_cases e
            WHERE e.product_key = c.product_key AND e.category = c.category AND e.received_day <= c.received_day
              AND e.received_at < c.received_at AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise)
        WHERE c.product_key IS NOT NULL AND c.category IS NOT NULL
        """;

    private static readonly string[] Watched =
        [nameof(FeedbackCase.CustomerKey), nameof(FeedbackCase.CustomerPhoneKey), nameof(FeedbackCase.ProductKey), nameof(FeedbackCase.Category), nameof(FeedbackCase.ReceivedAt),
         nameof(FeedbackCase.ReceivedDay), nameof(FeedbackCase.MaliciousReason), nameof(FeedbackCase.DuplicateOf), nameof(FeedbackCase.Praise)];

    /// <summary>Recomputes every case's values; for bulk loads that bypass the context (the benchmark's generator).</summary>
    public static async Task BackfillAsync(FeedbackDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync(BackfillCustomerSql, cancellationToken);
        await db.Database.ExecuteSqlRawAsync(BackfillProductSql, cancellationToken);
    }

    /// <summary>
    /// The keys a pending save touches (old and new values), from the change tracker; clears the values of cases that
    /// lost their key. Empty when the save changes nothing repeats depend on. With automatic detection off, the caller
    /// detects changes first.
    /// </summary>
    internal static List<RepeatKey> Touched(ChangeTracker tracker)
    {
        var keys = new List<RepeatKey>();
        foreach (var entry in tracker.Entries<FeedbackCase>())
        {
            if (entry.State == EntityState.Modified && !Watched.Any(p => entry.Property(p).IsModified)) continue;
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            var feedback = entry.Entity;
            if (entry.State != EntityState.Added)
                Add(keys, entry.Property(e => e.CustomerKey).OriginalValue, entry.Property(e => e.CustomerPhoneKey).OriginalValue,
                    entry.Property(e => e.ProductKey).OriginalValue, entry.Property(e => e.Category).OriginalValue, entry.Property(e => e.ReceivedDay).OriginalValue);
            if (entry.State == EntityState.Deleted) continue;
            // Through the entry, not the entity: the caller may have stopped detecting changes.
            if (feedback.CustomerKey is null && feedback.PreviousCustomerDay is not null) entry.Property(e => e.PreviousCustomerDay).CurrentValue = null;
            if ((feedback.ProductKey is null || feedback.Category is null) && feedback.PreviousProductDay is not null)
                entry.Property(e => e.PreviousProductDay).CurrentValue = null;
            Add(keys, feedback.CustomerKey, feedback.CustomerPhoneKey, feedback.ProductKey, feedback.Category, feedback.ReceivedDay);
        }
        // One recomputation per key, from the earliest day touched.
        return keys.GroupBy(k => (k.Customer, k.Product, k.Category)).Select(g => g.MinBy(k => k.FromDay)).OrderBy(k => k.LockId).ToList();
    }

    /// <summary>
    /// Takes the advisory locks that saving these cases' repeat columns takes, before a caller locks their rows: a
    /// registration takes the advisory lock first and then updates the key's rows, so the reverse order could deadlock.
    /// </summary>
    internal static Task LockKeysOfAsync(FeedbackDbContext db, IEnumerable<FeedbackCase> cases, CancellationToken cancellationToken)
    {
        var keys = new List<RepeatKey>();
        foreach (var c in cases) Add(keys, c.CustomerKey, c.CustomerPhoneKey, c.ProductKey, c.Category, c.ReceivedDay);
        return LockAsync(db, keys, cancellationToken);
    }

    /// <summary>Takes the PostgreSQL advisory locks of the keys, in a fixed order so two savers cannot deadlock.</summary>
    internal static async Task LockAsync(FeedbackDbContext db, IEnumerable<RepeatKey> keys, CancellationToken cancellationToken)
    {
        if (!db.SupportsRowLocks) return;
        foreach (var id in keys.Select(k => k.LockId).Distinct().Order())
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({id})", cancellationToken);
    }

    /// <summary>Recomputes the values of the keys' cases received on or after the touched day.</summary>
    /// <remarks>
    /// Only rows whose value changes are written. A new case rarely changes any but its own, and an unchanged row is
    /// not locked: so a registration no longer waits for (or deadlocks with) a workflow step that holds an earlier case
    /// of the same customer under its row lock and takes this key's advisory lock at its save.
    /// </remarks>
    internal static async Task RefreshAsync(FeedbackDbContext db, IEnumerable<RepeatKey> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            if (key.Customer is { } customer)
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE feedback_cases AS c SET previous_customer_day = s.day
                    FROM (SELECT t.id, (SELECT MAX(e.received_day) FROM feedback_cases e
                              WHERE (e.customer_key IN (t.customer_key, t.customer_phone_key) OR e.customer_phone_key IN (t.customer_key, t.customer_phone_key))
                                AND e.received_day <= t.received_day AND e.received_at < t.received_at
                                AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise) AS day
                          FROM feedback_cases t WHERE (t.customer_key = {customer} OR t.customer_phone_key = {customer}) AND t.received_day >= {key.FromDay}) AS s
                    WHERE c.id = s.id AND c.previous_customer_day IS DISTINCT FROM s.day
                    """, cancellationToken);
            else
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE feedback_cases AS c SET previous_product_day = s.day
                    FROM (SELECT t.id, (SELECT MAX(e.received_day) FROM feedback_cases e
                              WHERE e.product_key = t.product_key AND e.category = t.category AND e.received_day <= t.received_day
                                AND e.received_at < t.received_at AND e.malicious_reason IS NULL AND e.duplicate_of IS NULL AND NOT e.praise) AS day
                          FROM feedback_cases t WHERE t.product_key = {key.Product} AND t.category = {key.Category} AND t.received_day >= {key.FromDay}) AS s
                    WHERE c.id = s.id AND c.previous_product_day IS DISTINCT FROM s.day
                    """, cancellationToken);
        }
    }

    private static void Add(List<RepeatKey> keys, string? customer, string? phone, string? product, FeedbackCategory? category, int day)
    {
        if (customer is not null) keys.Add(new RepeatKey(customer, null, null, day));
        if (phone is not null) keys.Add(new RepeatKey(phone, null, null, day));
        if (product is not null && category is not null) keys.Add(new RepeatKey(null, product, category.ToString(), day));
    }
}

/// <summary>A customer key, or a product key with a category, and the earliest received day a save touched.</summary>
internal readonly record struct RepeatKey(string? Customer, string? Product, string? Category, int FromDay)
{
    /// <summary>The advisory lock id of the key: the first eight bytes of its SHA-256.</summary>
    public long LockId => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(Customer is not null ? "repeat-customer:" + Customer : $"repeat-product:{Product}\n{Category}")));
}
