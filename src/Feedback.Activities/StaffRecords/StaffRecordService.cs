using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Activities.Reports;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.StaffRecords;

/// <summary>
/// Word-of-mouth records of staff: evaluate, confirm or dispute, credit a suggestion, list, and the per-employee
/// summary for appraisal. Every change writes a line to the audit trail (<c>feedback_case_history</c>, with the
/// record's id instead of a case) in the same save; an anonymous record's line names no author.
/// </summary>
public sealed class StaffRecordService(IDbContextFactory<FeedbackDbContext> dbFactory, ReportOptions reportOptions, IClock clock)
{
    /// <summary>The longest text, suggestion or comment.</summary>
    public const int MaxText = 2000;

    /// <summary>The actor name of audit lines of anonymous records.</summary>
    public const string AnonymousActor = "anonymous";

    /// <summary>Records an evaluation, awaiting the employee's confirmation.</summary>
    /// <exception cref="StaffRecordValidationException">A field is missing or invalid.</exception>
    /// <exception cref="KeyNotFoundException">No active staff member with that user name.</exception>
    /// <exception cref="AccessDeniedException">The actor may not give this evaluation.</exception>
    public async Task<StaffRecord> CreateAsync(Actor actor, NewStaffRecord input, string via, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var kind = Parse<StaffRecordKind>(input.Kind, "kind", errors);
        var source = Parse<StaffRecordSource>(input.Source, "source", errors);
        var text = Clean(input.Text, "text", errors, required: true);
        var suggestion = Clean(input.Suggestion, "suggestion", errors, required: false);
        var customerName = Clean(input.CustomerName, "customerName", errors, required: false);
        if (source == StaffRecordSource.Customer && !input.Anonymous && customerName is null)
            errors.Add("customerName: a named customer evaluation needs the customer's name (or mark it anonymous).");
        if (source != StaffRecordSource.Customer && customerName is not null) errors.Add("customerName: only customer evaluations carry a customer's name.");
        if (errors.Count > 0) throw new StaffRecordValidationException(errors);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var employee = await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserName == input.Employee && s.Active, cancellationToken)
            ?? throw new KeyNotFoundException($"No active staff member {input.Employee}.");
        StaffRecordAccess.EnsureCreate(actor, employee, source!.Value);
        if (source != StaffRecordSource.Customer && actor.UserName is null)
            throw new AccessDeniedException("Colleague and supervisor evaluations need the acting staff member.");

        var record = new StaffRecord
        {
            Employee = employee.UserName, DepartmentId = employee.DepartmentId, Kind = kind!.Value, Source = source.Value, Anonymous = input.Anonymous,
            Author = input.Anonymous ? null : source == StaffRecordSource.Customer ? customerName : actor.UserName,
            AuthorIsStaff = !input.Anonymous && source != StaffRecordSource.Customer,
            Text = text!, Suggestion = suggestion, Status = StaffRecordStatus.AwaitingConfirmation, CreatedAt = clock.UtcNow,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.StaffRecords.Add(record);
        await db.SaveChangesAsync(cancellationToken); // the id, for the audit line
        Audit(db, record, input.Anonymous ? AnonymousActor : actor.AuditName, via, "StaffRecordCreated", $"{record.Kind} by {record.Source}{(input.Anonymous ? ", anonymous" : "")}.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    /// <summary>The employee confirms the record, which publishes it.</summary>
    public Task<StaffRecord> ConfirmAsync(Actor actor, long id, string? comment, string via, CancellationToken cancellationToken) =>
        AnswerAsync(actor, id, StaffRecordStatus.Published, comment, via, cancellationToken);

    /// <summary>The employee disputes the record with a comment; it stays unpublished.</summary>
    /// <exception cref="StaffRecordValidationException">No comment.</exception>
    public Task<StaffRecord> DisputeAsync(Actor actor, long id, string? comment, string via, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(comment)) throw new StaffRecordValidationException(["comment: a dispute says why."]);
        return AnswerAsync(actor, id, StaffRecordStatus.Disputed, comment, via, cancellationToken);
    }

    /// <summary>Credits the published record's suggestion to its named author.</summary>
    /// <exception cref="StaffRecordConflictException">Unpublished, no suggestion, anonymous, or already credited.</exception>
    public async Task<StaffRecord> CreditSuggestionAsync(Actor actor, long id, string via, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await FindAsync(db, id, cancellationToken);
        StaffRecordAccess.EnsureCredit(actor, record);
        if (record.Status != StaffRecordStatus.Published) throw new StaffRecordConflictException($"Record {id} is not published; only published suggestions are credited.");
        if (record.Suggestion is null) throw new StaffRecordConflictException($"Record {id} carries no suggestion.");
        if (record.Author is null) throw new StaffRecordConflictException($"Record {id} is anonymous: there is no author to credit.");
        if (record.SuggestionCreditedAt is not null) throw new StaffRecordConflictException($"The suggestion of record {id} is already credited.");
        record.SuggestionCreditedAt = clock.UtcNow;
        // The employee reads the audit trail of their records: a customer is not named in it.
        Audit(db, record, actor.AuditName, via, "StaffSuggestionCredited", record.AuthorIsStaff ? $"Credited to {record.Author}." : "Credited to the customer who made it.");
        await db.SaveChangesAsync(cancellationToken);
        return record;
    }

    /// <summary>The employee's records, newest first.</summary>
    /// <exception cref="KeyNotFoundException">No such staff member.</exception>
    /// <exception cref="AccessDeniedException">The actor may not see them.</exception>
    public async Task<IReadOnlyList<StaffRecord>> ListAsync(Actor actor, string employee, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await MemberAsync(db, employee, cancellationToken);
        StaffRecordAccess.EnsureRead(actor, member.UserName, member.DepartmentId);
        return await db.StaffRecords.AsNoTracking().Where(r => r.Employee == employee).OrderByDescending(r => r.Id).ToListAsync(cancellationToken);
    }

    /// <summary>One record and its audit lines, oldest first.</summary>
    public async Task<(StaffRecord Record, IReadOnlyList<CaseHistoryEntry> Audit)> GetAsync(Actor actor, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var record = await FindAsync(db, id, cancellationToken);
        StaffRecordAccess.EnsureRead(actor, record.Employee, record.DepartmentId);
        var audit = await db.History.AsNoTracking().Where(h => h.StaffRecordId == id).OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return (record, audit);
    }

    /// <summary>The employee's appraisal figures over <paramref name="period"/> (report calendar); unpublished records count only as disputed.</summary>
    public async Task<StaffRecordSummary> SummaryAsync(Actor actor, string employee, ReportPeriod period, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await MemberAsync(db, employee, cancellationToken);
        StaffRecordAccess.EnsureRead(actor, member.UserName, member.DepartmentId);
        var (from, to) = period.Instants(reportOptions.Zone);
        var answered = await db.StaffRecords.AsNoTracking()
            .Where(r => r.Employee == employee && r.CreatedAt >= from && r.CreatedAt < to && r.Status != StaffRecordStatus.AwaitingConfirmation)
            .GroupBy(r => new { r.Status, r.Kind, r.Source }).Select(g => new { g.Key.Status, g.Key.Kind, g.Key.Source, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var credited = await db.StaffRecords.AsNoTracking()
            .CountAsync(r => r.Author == employee && r.AuthorIsStaff && r.SuggestionCreditedAt >= from && r.SuggestionCreditedAt < to, cancellationToken);
        var published = answered.Where(a => a.Status == StaffRecordStatus.Published).ToList();
        return new StaffRecordSummary(employee, period.Label, published.Sum(a => a.Count), answered.Where(a => a.Status == StaffRecordStatus.Disputed).Sum(a => a.Count),
            Enum.GetValues<StaffRecordKind>().ToDictionary(k => k.ToString(), k => published.Where(a => a.Kind == k).Sum(a => a.Count)),
            Enum.GetValues<StaffRecordSource>().ToDictionary(s => s.ToString(), s => published.Where(a => a.Source == s).Sum(a => a.Count)),
            credited);
    }

    private async Task<StaffRecord> AnswerAsync(Actor actor, long id, StaffRecordStatus answer, string? comment, string via, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var text = Clean(comment, "comment", errors, required: false);
        if (errors.Count > 0) throw new StaffRecordValidationException(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var record = await FindAsync(db, id, cancellationToken);
        StaffRecordAccess.EnsureAnswer(actor, record);
        if (record.Status != StaffRecordStatus.AwaitingConfirmation) throw new StaffRecordConflictException($"Record {id} was already answered ({record.Status}).");
        (record.Status, record.EmployeeComment, record.AnsweredAt) = (answer, text, clock.UtcNow);
        Audit(db, record, actor.AuditName, via, answer == StaffRecordStatus.Published ? "StaffRecordConfirmed" : "StaffRecordDisputed", text);
        // The status check above and this update race with a second answer: only one save may move it off Awaiting.
        var claimed = await db.StaffRecords.Where(r => r.Id == id && r.Status == StaffRecordStatus.AwaitingConfirmation)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, answer), cancellationToken);
        if (claimed == 0) throw new StaffRecordConflictException($"Record {id} was already answered.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    // Case id 0 marks a line that belongs to no case; the record's id says whose it is.
    private void Audit(FeedbackDbContext db, StaffRecord record, string actor, string via, string action, string? details) =>
        db.History.Add(new CaseHistoryEntry { CaseId = 0, StaffRecordId = record.Id, At = clock.UtcNow, Actor = actor, Via = via, Action = action, Details = details });

    private static async Task<StaffRecord> FindAsync(FeedbackDbContext db, long id, CancellationToken cancellationToken) =>
        await db.StaffRecords.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw new KeyNotFoundException($"No staff record {id}.");

    private static async Task<Organization.StaffMember> MemberAsync(FeedbackDbContext db, string employee, CancellationToken cancellationToken) =>
        await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserName == employee, cancellationToken) ?? throw new KeyNotFoundException($"No staff member {employee}.");

    private static T? Parse<T>(string? value, string field, List<string> errors) where T : struct, Enum
    {
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)) return parsed;
        errors.Add($"{field}: one of {string.Join(", ", Enum.GetNames<T>())}.");
        return null;
    }

    private static string? Clean(string? value, string field, List<string> errors, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add($"{field}: required.");
            return null;
        }
        var text = value.Trim();
        if (text.Length > MaxText) errors.Add($"{field}: at most {MaxText} characters.");
        if (text.Contains('\0')) errors.Add($"{field}: contains a NUL character.");
        return text;
    }
}
