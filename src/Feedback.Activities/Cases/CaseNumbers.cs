using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Feedback.Activities.Cases;

/// <summary>Readable case numbers, <c>FB-{year}-{000123}</c>, counting from 1 each year and unique across hosts.</summary>
/// <remarks>
/// A number is taken before the case's first workflow step runs (the step is correlated by it) and committed with
/// that step. Taking it must therefore not hold a lock until that commit: on PostgreSQL each year has a sequence,
/// which hands out numbers without waiting and without a commit of its own. A registration that fails after taking
/// its number leaves a gap; numbers are unique and increasing, not gap-free. SQLite (one host) counts in a table.
/// </remarks>
public static class CaseNumbers
{
    /// <summary>Takes the next number of <paramref name="year"/>.</summary>
    public static Task<string> NextAsync(FeedbackDbContext db, int year, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql() ? FromSequenceAsync(db, year, cancellationToken) : FromCounterAsync(db, year, cancellationToken);

    public static string Format(int year, long sequence) => $"FB-{year}-{sequence:000000}";

    private static async Task<string> FromSequenceAsync(FeedbackDbContext db, int year, CancellationToken cancellationToken)
    {
        if (year is < 1 or > 9999) throw new ArgumentOutOfRangeException(nameof(year), year, "A case year has four digits.");
        var sequence = $"feedback_case_number_{year}";
        // Looked up once per database and year in this process, so that the first case of a year creates the sequence
        // without first failing on it (a failed statement is logged as an error by EF Core).
        var key = (db.Database.GetDbConnection().Database, year);
        if (!KnownSequences.ContainsKey(key))
        {
            var exists = (await db.Database.SqlQuery<bool>($"SELECT to_regclass({sequence}) IS NOT NULL AS \"Value\"").ToListAsync(cancellationToken)).Single();
            if (!exists) await CreateSequenceAsync(db, year, sequence, cancellationToken);
            KnownSequences.TryAdd(key, true);
        }
        try
        {
            return Format(year, await NextValueAsync(db, sequence, cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The database was replaced under this process (a restore, a test): create it as for a first case.
            await CreateSequenceAsync(db, year, sequence, cancellationToken);
            return Format(year, await NextValueAsync(db, sequence, cancellationToken));
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Database, int Year), bool> KnownSequences = new();

    private static async Task CreateSequenceAsync(FeedbackDbContext db, int year, string sequence, CancellationToken cancellationToken)
    {
        // Databases that numbered cases in the counter table before continue after the last number it gave.
        var counted = await db.CaseNumberCounters.AsNoTracking().Where(c => c.Year == year).Select(c => (long?)c.Next).FirstOrDefaultAsync(cancellationToken) ?? 0;
        // Two hosts may both find the sequence missing; IF NOT EXISTS does not cover creations that race, so the block
        // absorbs the loser's error in the database, where it is expected, instead of failing (and being logged) here.
        var create = $"DO $$ BEGIN CREATE SEQUENCE IF NOT EXISTS {sequence} START WITH {counted + 1}; " + // year and start are numbers
                     "EXCEPTION WHEN unique_violation OR duplicate_table THEN NULL; END $$";
        await db.Database.ExecuteSqlRawAsync(create, cancellationToken);
    }

    private static async Task<long> NextValueAsync(FeedbackDbContext db, string sequence, CancellationToken cancellationToken)
    {
        var next = $"SELECT nextval('{sequence}') AS \"Value\""; // the name is built from a number
        return (await db.Database.SqlQueryRaw<long>(next).ToListAsync(cancellationToken)).Single();
    }

    private static async Task<string> FromCounterAsync(FeedbackDbContext db, int year, CancellationToken cancellationToken)
    {
        var next = await db.Database.SqlQueryRaw<long>(
            "INSERT INTO feedback_case_number_counters (year, next) VALUES ({0}, 1) " +
            "ON CONFLICT (year) DO UPDATE SET next = feedback_case_number_counters.next + 1 RETURNING next AS \"Value\"", year)
            .ToListAsync(cancellationToken);
        return Format(year, next.Single());
    }
}
