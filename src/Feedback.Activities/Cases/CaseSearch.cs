using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Cases;

/// <summary>What to look for in <see cref="CaseSearch"/>; every criterion given must hold.</summary>
public sealed record CaseQuery
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>
    /// The customer's e-mail address or phone number, exactly (a phone by its digits); matched by its key, never in clear.
    /// Anonymised cases are never found by it.
    /// </summary>
    public string? Contact { get; init; }
    public CaseStatus? Status { get; init; }
    /// <summary>Only cases not yet replied to or closed.</summary>
    public bool OpenOnly { get; init; }
    /// <summary>Only open cases past their due time (the Resolution clock's deadline), the longest overdue first.</summary>
    public bool Overdue { get; init; }
    public FeedbackCategory? Category { get; init; }
    /// <summary>The lead department.</summary>
    public string? Department { get; init; }
    /// <summary>Received on or after this instant.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Received before this instant.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>
    /// Limits the list to what a department-scoped reader may see (<see cref="Access.CaseAccess.MayRead"/>): cases
    /// this department leads or helps with, or owned by <see cref="VisibleToUser"/>. Null: no limit.
    /// </summary>
    public string? VisibleToDepartment { get; init; }
    /// <summary>The reader: cases they own are listed, cases about them never are.</summary>
    public string? VisibleToUser { get; init; }
    /// <summary>Zero-based.</summary>
    public int Page { get; init; }
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Problems with the query; empty when it can run.</summary>
    public IReadOnlyList<string> Check()
    {
        var errors = new List<string>();
        if (Contact is { Length: > 254 }) errors.Add("contact: at most 254 characters.");
        if (From is { } from && To is { } to && to <= from) errors.Add("to: must be after from.");
        if (Page < 0) errors.Add("page: zero or more.");
        if (PageSize is < 1 or > MaxPageSize) errors.Add($"pageSize: 1 to {MaxPageSize}.");
        return errors;
    }
}

/// <summary>
/// Finds cases for staff: a customer calling about their complaint (by e-mail or phone, matched through the same keyed
/// hash the repeat counting uses, so contacts are never searched in clear), a department's open cases, or the
/// overdue ones. Newest first; overdue cases by due time.
/// </summary>
public sealed class CaseSearch(IDbContextFactory<FeedbackDbContext> dbFactory, FeedbackDomainOptions options, Feedback.Workflows.Runtime.IClock clock)
{
    /// <summary>One page of cases, and how many match in all.</summary>
    public sealed record Page(IReadOnlyList<FeedbackCase> Items, int TotalCount, int PageNumber, int PageSize);

    /// <exception cref="CaseValidationException">The query is not valid.</exception>
    public async Task<Page> FindAsync(CaseQuery query, CancellationToken cancellationToken)
    {
        if (query.Check() is { Count: > 0 } errors) throw new CaseValidationException(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var cases = Visible(db, query);
        if (query.Contact is { } contact)
        {
            // An address is keyed as such; anything else by its digits, as the phone key is.
            var key = contact.Contains('@')
                ? Reports.CaseFacts.CustomerKey(options.Reports.CustomerKeySecret, contact, null)
                : Reports.CaseFacts.CustomerKey(options.Reports.CustomerKeySecret, null, contact);
            if (key is null) throw new CaseValidationException(["contact: an e-mail address, or a phone number of at least 5 digits."]);
            // Anonymised cases keep their keys for the repeat figures; a contact must not lead back to them.
            cases = cases.Where(c => c.AnonymisedAt == null && (c.CustomerKey == key || c.CustomerPhoneKey == key));
        }
        if (query.Status is { } status) cases = cases.Where(c => c.Status == status);
        if (query.OpenOnly || query.Overdue) cases = cases.Where(c => c.Status != CaseStatus.Replied && c.Status != CaseStatus.Closed);
        var now = clock.UtcNow;
        if (query.Overdue) cases = cases.Where(c => c.DueAt < now);
        if (query.Category is { } category) cases = cases.Where(c => c.Category == category);
        if (query.Department is { } department) cases = cases.Where(c => c.LeadDepartment == department);
        if (query.From is { } from) cases = cases.Where(c => c.ReceivedAt >= from.ToUniversalTime());
        if (query.To is { } to) cases = cases.Where(c => c.ReceivedAt < to.ToUniversalTime());
        var total = await cases.CountAsync(cancellationToken);
        var ordered = query.Overdue ? cases.OrderBy(c => c.DueAt).ThenBy(c => c.Id) : cases.OrderByDescending(c => c.ReceivedAt).ThenByDescending(c => c.Id);
        var items = await ordered.Skip(query.Page * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);
        return new Page(items, total, query.Page, query.PageSize);
    }

    private static IQueryable<FeedbackCase> Visible(FeedbackDbContext db, CaseQuery query)
    {
        var user = query.VisibleToUser;
        if (query.VisibleToDepartment is not { } department)
            return db.Cases.AsNoTracking().Where(c => user == null || c.ComplainedAbout == null || c.ComplainedAbout != user);
        // Row-local tests, not a subquery of helped cases under an OR: PostgreSQL would probe such a subquery once per
        // case kept when it expects it to be large.
        return db.CasesVisibleTo(department, user).AsNoTracking()
            .Where(c => c.ComplainedAbout == null || c.ComplainedAbout != user);
    }
}
