using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Reports;

/// <summary>The cases received in a period, for the case export (a list, not a metric: it does read the cases).</summary>
public sealed class CaseList(IDbContextFactory<FeedbackDbContext> dbFactory, ReportOptions options)
{
    /// <summary>The most cases one export returns; narrow the period for more.</summary>
    public const int MaxRows = 10_000;

    /// <summary>
    /// Cases received in the period, oldest first, limited to the cases one department leads or helps with when given
    /// (the cases its figures count, see <see cref="ReportService"/>); never the cases about
    /// <paramref name="reader"/>, the staff member exporting (null for an integration).
    /// </summary>
    /// <exception cref="ReportValidationException">More than <see cref="MaxRows"/> cases match.</exception>
    public async Task<IReadOnlyList<FeedbackCase>> ListAsync(ReportPeriod period, string? department, string? reader, CancellationToken cancellationToken)
    {
        var (from, to) = period.Instants(options.Zone);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var source = department is null ? db.Cases : db.CasesVisibleTo(department, owner: null);
        var query = source.AsNoTracking().Where(c => c.ReceivedAt >= from && c.ReceivedAt < to);
        if (reader?.ToLowerInvariant() is { } about) query = query.Where(c => c.ComplainedAbout == null || c.ComplainedAbout.ToLower() != about);
        var cases = await query.OrderBy(c => c.ReceivedAt).ThenBy(c => c.Id).Take(MaxRows + 1).ToListAsync(cancellationToken);
        if (cases.Count > MaxRows) throw new ReportValidationException([$"period: more than {MaxRows} cases; export a shorter period."]);
        return cases;
    }
}
