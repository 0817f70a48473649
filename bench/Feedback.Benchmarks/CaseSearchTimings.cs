using Feedback.Activities;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Activities.Reports;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Benchmarks;

/// <summary>
/// The staff's case search (<see cref="CaseSearch"/>) over the reports benchmark's generated cases, after giving them
/// what the search reads and the generator leaves out: an owner (ten members per department), a helping department on
/// every tenth case, open cases in the last two weeks and one known customer with a handful of cases.
/// </summary>
internal static class CaseSearchTimings
{
    private const string Secret = "bench-search-secret";
    private const string KnownCustomer = "known.customer@example.com";

    /// <summary>Prepares the data; the reports must have been timed before, on the generator's data as it was.</summary>
    public static string PrepareSql()
    {
        var key = CaseFacts.CustomerKey(Secret, KnownCustomer, null);
        return $"""
            UPDATE feedback_cases SET
                owner = lead_department || '-member-' || (id % 10),
                helper_departments = CASE WHEN id % 10 = 0 THEN '["dept-' || (1 + (id / 10) % 8) || '"]' ELSE '[]' END,
                status = CASE WHEN received_at >= timestamptz '2026-10-17 00:00+00' AND id % 3 <> 0 THEN 'InRectification' ELSE status END,
                customer_key = CASE WHEN id % 100000 = 7 THEN '{key}' ELSE customer_key END;
            """;
    }

    /// <summary>Times each search (one warm-up, then the rounds) and adds the medians to <paramref name="report"/>.</summary>
    public static async Task AddAsync(Report report, IDbContextFactory<FeedbackDbContext> factory, int rounds)
    {
        var options = new FeedbackDomainOptions();
        options.Reports.CustomerKeySecret = Secret;
        // "Now" is the end of the generated span, so the open cases' due times are partly past: some are overdue.
        var search = new CaseSearch(factory, options, new FixedClock(new DateTimeOffset(2026, 10, 31, 12, 0, 0, TimeSpan.Zero)));
        var member = new CaseQuery { VisibleToDepartment = "dept-3", VisibleToUser = "dept-3-member-1" };
        var searches = new (string Key, string Label, CaseQuery Query)[]
        {
            ("desk_all", "complaint desk: all cases, newest first", new CaseQuery()),
            ("desk_open", "complaint desk: open cases", new CaseQuery { OpenOnly = true }),
            ("desk_overdue", "complaint desk: overdue cases", new CaseQuery { Overdue = true }),
            ("desk_contact", "complaint desk: one customer by e-mail", new CaseQuery { Contact = KnownCustomer }),
            ("dept_all", "department member: all visible cases", member),
            ("dept_open", "department member: open visible cases", member with { OpenOnly = true }),
            ("dept_contact", "department member: one customer by e-mail", member with { Contact = KnownCustomer }),
        };
        foreach (var (key, label, query) in searches)
        {
            Console.Error.WriteLine($"search: {label}");
            CaseSearch.Page? page = null;
            var times = await ReportsBenchmark.TimeAsync(rounds, async () => page = await search.FindAsync(query, default));
            report.Add($"search_{key}_ms", $"search, {label} ({page!.TotalCount:N0} found), median", times.Median, "ms");
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow => now;
    }
}
