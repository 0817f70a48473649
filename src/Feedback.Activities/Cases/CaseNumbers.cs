using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>Readable case numbers, <c>FB-{year}-{000123}</c>, gap-free per year and unique across hosts.</summary>
public static class CaseNumbers
{
    /// <summary>Takes the next number of <paramref name="year"/> inside the caller's transaction.</summary>
    public static async Task<string> NextAsync(FeedbackDbContext db, int year, CancellationToken cancellationToken)
    {
        // One atomic upsert: concurrent registrations queue on the counter row until their transactions end.
        var next = await db.Database.SqlQueryRaw<long>(
            "INSERT INTO feedback_case_number_counters (year, next) VALUES ({0}, 1) " +
            "ON CONFLICT (year) DO UPDATE SET next = feedback_case_number_counters.next + 1 RETURNING next AS \"Value\"", year)
            .ToListAsync(cancellationToken);
        return Format(year, next.Single());
    }

    public static string Format(int year, long sequence) => $"FB-{year}-{sequence:000000}";
}
