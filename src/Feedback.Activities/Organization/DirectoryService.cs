using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Organization;

/// <summary>The whole directory as admins edit it: departments, staff, the routing table and the intake routes.</summary>
public sealed record OrganizationDocument(List<Department> Departments, List<StaffMember> Staff, List<RoutingRule> Routing)
{
    /// <summary>Which process new feedback runs (<see cref="IntakeRoute"/>); empty runs the default process for all.</summary>
    public List<IntakeRoute> Intake { get; init; } = [];
}

/// <summary>Reads and replaces the company directory; answers the questions assignment asks.</summary>
public sealed class DirectoryService(IDbContextFactory<FeedbackDbContext> dbFactory)
{
    // Compiled once: every staff request looks its actor up; a compiled query skips the per-call LINQ translation.
    private static readonly PerModelQuery<Func<FeedbackDbContext, string, CancellationToken, Task<StaffMember?>>> MemberByUserName = new(() =>
        EF.CompileAsyncQuery((FeedbackDbContext db, string user, CancellationToken _) => db.Staff.AsNoTracking().FirstOrDefault(s => s.UserName == user)));

    /// <summary>The directory entry of one user, untracked, or null when the directory does not know them.</summary>
    public static Task<StaffMember?> MemberAsync(FeedbackDbContext db, string userName, CancellationToken cancellationToken) =>
        MemberByUserName.For(db)(db, userName, cancellationToken);

    /// <summary>The directory entry of one user, or null when the directory does not know them.</summary>
    public async Task<StaffMember?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await MemberAsync(db, userName, cancellationToken);
    }

    /// <summary>The directory's spelling of a user name given in any letter case (active or not), or null when nobody has it.</summary>
    public async Task<string?> UserNameAsync(string userName, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lower = userName.Trim().ToLowerInvariant();
        return await db.Staff.AsNoTracking().Where(s => s.UserName.ToLower() == lower).Select(s => s.UserName).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The user name of the one active member whose user name or display name is <paramref name="named"/> (any letter
    /// case, spaces around ignored), as a customer might write it on the form; null when nobody or several match.
    /// </summary>
    public async Task<string?> MatchNamedAsync(string named, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lower = named.Trim().ToLowerInvariant();
        var matches = await db.Staff.AsNoTracking().Where(s => s.Active && (s.UserName.ToLower() == lower || s.DisplayName.ToLower() == lower))
            .Select(s => s.UserName).Take(2).ToListAsync(cancellationToken);
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>
    /// The part of the directory that tells the heads of <paramref name="departments"/> apart: those departments, and
    /// their heads with their delegates (two small queries, where every assignment with helpers would read it all).
    /// </summary>
    public async Task<OrganizationDocument> HeadsOfAsync(IReadOnlyCollection<string> departments, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Departments.AsNoTracking().Where(d => departments.Contains(d.Id)).ToListAsync(cancellationToken);
        var heads = found.Select(d => d.Head).OfType<string>().ToList();
        var staff = heads.Count == 0 ? [] : await db.Staff.AsNoTracking()
            .Where(s => heads.Contains(s.UserName) || db.Staff.Any(h => heads.Contains(h.UserName) && h.Delegate == s.UserName))
            .ToListAsync(cancellationToken);
        return new OrganizationDocument(found, staff, []);
    }

    public async Task<OrganizationDocument> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return new OrganizationDocument(
            await db.Departments.AsNoTracking().OrderBy(d => d.Id).ToListAsync(cancellationToken),
            await db.Staff.AsNoTracking().OrderBy(s => s.UserName).ToListAsync(cancellationToken),
            await db.Routing.AsNoTracking().OrderBy(r => r.Category).ToListAsync(cancellationToken))
        {
            Intake = await db.IntakeRoutes.AsNoTracking().OrderBy(r => r.Position).ToListAsync(cancellationToken),
        };
    }

    /// <summary>The process of the first intake route <paramref name="registration"/> takes; null when none applies.</summary>
    public async Task<string?> ProcessForAsync(CaseRegistration registration, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var routes = await db.IntakeRoutes.AsNoTracking().OrderBy(r => r.Position).ToListAsync(cancellationToken);
        return routes.FirstOrDefault(r => r.Matches(registration))?.Process;
    }

    /// <summary>Replaces the directory in one transaction after checking every reference.</summary>
    /// <exception cref="CaseValidationException">The document is inconsistent; the message lists every problem.</exception>
    public async Task ReplaceAsync(OrganizationDocument document, CancellationToken cancellationToken)
    {
        var errors = Validate(document);
        if (errors.Count > 0) throw new CaseValidationException(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.IntakeRoutes.ExecuteDeleteAsync(cancellationToken);
        await db.Routing.ExecuteDeleteAsync(cancellationToken);
        await db.Staff.ExecuteDeleteAsync(cancellationToken);
        await db.Departments.ExecuteDeleteAsync(cancellationToken);
        db.Departments.AddRange(document.Departments);
        db.Staff.AddRange(document.Staff);
        db.Routing.AddRange(document.Routing);
        for (var i = 0; i < document.Intake.Count; i++) document.Intake[i].Position = i;
        db.IntakeRoutes.AddRange(document.Intake);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Loads <paramref name="document"/> only when the directory is empty (first start).</summary>
    public async Task<bool> SeedAsync(OrganizationDocument document, CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            if (await db.Departments.AnyAsync(cancellationToken)) return false;
        await ReplaceAsync(document, cancellationToken);
        return true;
    }

    public async Task<RoutingRule?> RoutingForAsync(FeedbackCategory category, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var name = category.ToString();
        return await db.Routing.AsNoTracking().FirstOrDefaultAsync(r => r.Category == name, cancellationToken);
    }

    /// <summary>Active members of a department with a role, and how many open cases each owns.</summary>
    public async Task<IReadOnlyList<(StaffMember Member, int OpenCases)>> CandidatesAsync(string departmentId, StaffRole role, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = new List<(StaffMember Member, int OpenCases)>();
        await foreach (var load in MembersWithLoad.For(db)(db, departmentId).WithCancellation(cancellationToken))
            if (load.Member.Roles.Contains(role))
                candidates.Add((load.Member, load.OpenCases));
        return candidates;
    }

    // Compiled once, and one statement: assignment asks this for every case. The count goes through the owner index.
    // A replied case is finished like a closed one: counting it would weigh a member by every case they ever answered.
    private static readonly PerModelQuery<Func<FeedbackDbContext, string, IAsyncEnumerable<MemberLoad>>> MembersWithLoad = new(() =>
        EF.CompileAsyncQuery((FeedbackDbContext db, string departmentId) => db.Staff.AsNoTracking()
            .Where(s => s.DepartmentId == departmentId && s.Active)
            .Select(s => new MemberLoad(s, db.Cases.Count(c => c.Owner == s.UserName && c.Status != CaseStatus.Closed && c.Status != CaseStatus.Replied)))));

    private sealed record MemberLoad(StaffMember Member, int OpenCases);

    /// <summary>Every problem of <paramref name="d"/> on its own (references between its parts); empty when consistent.</summary>
    public static List<string> Validate(OrganizationDocument d)
    {
        var errors = new List<string>();
        var departments = d.Departments.Select(x => x.Id).ToHashSet();
        var people = d.Staff.Select(x => x.UserName).ToHashSet();
        foreach (var dup in d.Departments.GroupBy(x => x.Id).Where(g => g.Count() > 1)) errors.Add($"departments: '{dup.Key}' appears more than once.");
        foreach (var dup in d.Staff.GroupBy(x => x.UserName).Where(g => g.Count() > 1)) errors.Add($"staff: '{dup.Key}' appears more than once.");
        foreach (var dept in d.Departments.Where(x => x.Head is not null && !people.Contains(x.Head)))
            errors.Add($"departments.{dept.Id}.head: '{dept.Head}' is not in staff.");
        foreach (var member in d.Staff)
        {
            if (!departments.Contains(member.DepartmentId)) errors.Add($"staff.{member.UserName}.departmentId: no department '{member.DepartmentId}'.");
            if (member.Delegate is not null && !people.Contains(member.Delegate)) errors.Add($"staff.{member.UserName}.delegate: '{member.Delegate}' is not in staff.");
        }
        foreach (var rule in d.Routing)
        {
            if (!Enum.TryParse<FeedbackCategory>(rule.Category, out _)) errors.Add($"routing: '{rule.Category}' is not a category ({string.Join(", ", Enum.GetNames<FeedbackCategory>())}).");
            foreach (var dept in rule.HelperDepartments.Prepend(rule.LeadDepartment).Where(x => !departments.Contains(x)))
                errors.Add($"routing.{rule.Category}: no department '{dept}'.");
        }
        for (var i = 0; i < d.Intake.Count; i++)
        {
            var route = d.Intake[i];
            if (string.IsNullOrWhiteSpace(route.Process)) errors.Add($"intake[{i}].process: the definition id of a process is required.");
            else if (route.Process.Length > 100) errors.Add($"intake[{i}].process: at most 100 characters.");
            foreach (var channel in route.Channels.Where(c => !Enum.GetNames<FeedbackChannel>().Contains(c, StringComparer.OrdinalIgnoreCase)))
                errors.Add($"intake[{i}].channels: '{channel}' is not a channel ({string.Join(", ", Enum.GetNames<FeedbackChannel>())}).");
        }
        return errors;
    }
}
