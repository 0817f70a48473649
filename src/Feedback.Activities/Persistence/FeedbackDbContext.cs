using System.Text.Json;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Feedback.Activities.Persistence;

/// <summary>The feedback domain's tables; one subclass per provider so each has its own migrations.</summary>
public abstract class FeedbackDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<FeedbackCase> Cases => Set<FeedbackCase>();
    public DbSet<CaseHistoryEntry> History => Set<CaseHistoryEntry>();
    public DbSet<CaseNumberCounter> CaseNumberCounters => Set<CaseNumberCounter>();
    public DbSet<Department> Departments => Set<Department>();
    public DbSet<StaffMember> Staff => Set<StaffMember>();
    public DbSet<RoutingRule> Routing => Set<RoutingRule>();
    public DbSet<IntakeRoute> IntakeRoutes => Set<IntakeRoute>();
    public DbSet<FeedbackTask> Tasks => Set<FeedbackTask>();
    public DbSet<Sla.CaseClock> CaseClocks => Set<Sla.CaseClock>();
    public DbSet<Sla.CaseClockEvent> CaseClockEvents => Set<Sla.CaseClockEvent>();
    public DbSet<Sla.SlaSettingRecord> SlaSettings => Set<Sla.SlaSettingRecord>();
    public DbSet<Links.UsedLink> UsedLinks => Set<Links.UsedLink>();
    public DbSet<Links.DataProtectionKeyRecord> DataProtectionKeys => Set<Links.DataProtectionKeyRecord>();
    public DbSet<Intake.UploadedPhoto> Photos => Set<Intake.UploadedPhoto>();
    public DbSet<StaffCredential> StaffCredentials => Set<StaffCredential>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<Intake.Mail.ReceivedMail> ReceivedMail => Set<Intake.Mail.ReceivedMail>();
    public DbSet<StaffRecords.StaffRecord> StaffRecords => Set<StaffRecords.StaffRecord>();
    public DbSet<Cases.CaseNote> Notes => Set<Cases.CaseNote>();

    /// <summary>True where rows can be locked for update (PostgreSQL).</summary>
    public abstract bool SupportsRowLocks { get; }

    /// <summary>The case, tracked, and locked for the rest of the transaction where rows can be locked (PostgreSQL).</summary>
    public async Task<Cases.FeedbackCase?> LockCaseAsync(string number, CancellationToken cancellationToken) =>
        SupportsRowLocks
            // NO KEY UPDATE: changes to a case exclude each other, while rows that only refer to the case (history lines,
            // a reminder's) can still be written beside it.
            ? await Cases.FromSql($"SELECT * FROM feedback_cases WHERE number = {number} FOR NO KEY UPDATE").FirstOrDefaultAsync(cancellationToken)
            : await Cases.FirstOrDefaultAsync(c => c.Number == number, cancellationToken);

    /// <summary>
    /// The cases <paramref name="department"/> helps with. Helping departments are an element of a JSON array column. On
    /// PostgreSQL that array is found through its GIN index (a containment test on the column read as <c>jsonb</c>), so
    /// the search and the inbox do not read every case kept; SQLite looks for the element's serialised form
    /// (<see cref="Reports.CaseFacts.HelperElement"/>).
    /// </summary>
    public IQueryable<Cases.FeedbackCase> CasesHelpedBy(string department)
    {
        var element = Reports.CaseFacts.HelperElement(department);
        var array = "[" + element + "]";
        return SupportsRowLocks
            ? Cases.FromSql($"SELECT * FROM feedback_cases WHERE helper_departments::jsonb @> {array}::jsonb")
            : Cases.FromSql($"SELECT * FROM feedback_cases WHERE instr(helper_departments, {element}) > 0");
    }

    /// <summary>
    /// The cases <paramref name="department"/> leads or helps with, or <paramref name="owner"/> is responsible for: one
    /// test per row, which PostgreSQL answers through the lead-department, owner and helper (GIN) indexes at once, and
    /// which the criteria composed on top narrow first (a customer's few cases are found by their key, then tested).
    /// </summary>
    public IQueryable<Cases.FeedbackCase> CasesVisibleTo(string department, string? owner)
    {
        var element = Reports.CaseFacts.HelperElement(department);
        var array = "[" + element + "]";
        return SupportsRowLocks
            ? Cases.FromSql($"SELECT * FROM feedback_cases WHERE lead_department = {department} OR owner = {owner} OR helper_departments::jsonb @> {array}::jsonb")
            : Cases.FromSql($"SELECT * FROM feedback_cases WHERE lead_department = {department} OR owner = {owner} OR instr(helper_departments, {element}) > 0");
    }

    /// <summary>
    /// Waits for, and holds for the rest of the transaction, the workflow instance that handles the case, where rows can
    /// be locked. A step holds its instance from reading the case until its commit, so a change made under this lock
    /// never lands between a step's reading and its writing: the step that follows sees it.
    /// </summary>
    public async Task LockWorkflowOfCaseAsync(string number, CancellationToken cancellationToken)
    {
        if (!SupportsRowLocks) return;
        await Database.ExecuteSqlAsync(
            $"SELECT 1 FROM workflow_instances WHERE id = (SELECT workflow_instance_id FROM feedback_cases WHERE number = {number}) FOR UPDATE", cancellationToken);
    }

    /// <summary>Saves, and in the same transaction recomputes the repeat facts of the cases the save affects.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // Changes are detected once, here: finding the touched keys needs them, and the save would scan every tracked
        // row a second time (a step's commit tracks dozens). Touched marks what it changes through the tracker.
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        if (autoDetect) ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var touched = Reports.RepeatFacts.Touched(ChangeTracker);
            if (touched.Count == 0) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await using var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
            await Reports.RepeatFacts.LockAsync(this, touched, cancellationToken);
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await Reports.RepeatFacts.RefreshAsync(this, touched, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return saved;
        }
        finally { ChangeTracker.AutoDetectChangesEnabled = autoDetect; }
    }

    /// <summary>Saves what needs no repeat facts kept; cases are saved with <see cref="SaveChangesAsync(bool, CancellationToken)"/>.</summary>
    /// <exception cref="NotSupportedException">The save adds, deletes or re-keys a case.</exception>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) => Reports.RepeatFacts.Touched(ChangeTracker).Count == 0
        ? base.SaveChanges(acceptAllChangesOnSuccess)
        : throw new NotSupportedException("Cases are saved with SaveChangesAsync, which keeps their repeat facts in the same transaction.");

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<FeedbackCase>(e =>
        {
            e.ToTable("feedback_cases");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => x.WorkflowInstanceId).IsUnique();
            e.HasIndex(x => new { x.LeadDepartment, x.Status });
            e.HasIndex(x => x.ReceivedAt);
            e.HasIndex(x => new { x.CustomerKey, x.ReceivedDay });
            e.HasIndex(x => new { x.CustomerPhoneKey, x.ReceivedDay });
            e.HasIndex(x => new { x.ProductKey, x.Category, x.ReceivedDay });
            e.HasIndex(x => x.DueAt);
            // Assignment counts each candidate's open cases; without it that count read every case ever kept.
            e.HasIndex(x => new { x.Owner, x.Status });
            e.Property(x => x.CustomerKey).HasMaxLength(64);
            e.Property(x => x.CustomerPhoneKey).HasMaxLength(64);
            e.Property(x => x.ProductKey).HasMaxLength(200);
            e.Property(x => x.Channel).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Category).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Severity).HasConversion<string>().HasMaxLength(1);
            e.Property(x => x.Number).HasMaxLength(32);
            e.Property(x => x.Language).HasMaxLength(8);
            e.Property(x => x.CustomerComment).HasMaxLength(Surveys.SurveyAnswer.MaxCommentLength);
            e.Property(x => x.Product).HasConversion(Json<ProductDetails?>());
            e.Property(x => x.Requests).HasConversion(Json<List<CustomerRequest>>(), ListComparer<CustomerRequest>());
            e.Property(x => x.HelperDepartments).HasConversion(Json<List<string>>(), ListComparer<string>());
            e.Property(x => x.CustomerComments).HasConversion(Json<List<CustomerWords>>(), ListComparer<CustomerWords>());
        });
        model.Entity<CaseHistoryEntry>(e =>
        {
            e.ToTable("feedback_case_history");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CaseId, x.Id });
            e.HasIndex(x => x.StaffRecordId);
        });
        model.Entity<CaseNote>(e =>
        {
            e.ToTable("case_notes");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CaseId, x.Id });
            e.Property(x => x.Author).HasMaxLength(64);
        });
        model.Entity<CaseNumberCounter>(e =>
        {
            e.ToTable("feedback_case_number_counters");
            e.HasKey(x => x.Year);
            e.Property(x => x.Year).ValueGeneratedNever();
        });
        model.Entity<Department>(e =>
        {
            e.ToTable("departments");
            e.HasKey(x => x.Id);
        });
        model.Entity<StaffMember>(e =>
        {
            e.ToTable("staff_members");
            e.HasKey(x => x.UserName);
            e.HasIndex(x => x.DepartmentId);
            e.Property(x => x.Roles).HasConversion(Json<List<StaffRole>>(), ListComparer<StaffRole>());
        });
        model.Entity<IntakeRoute>(e =>
        {
            e.ToTable("intake_routes");
            e.HasKey(x => x.Position);
            e.Property(x => x.Position).ValueGeneratedNever();
            e.Property(x => x.Process).HasMaxLength(100);
            e.Property(x => x.Channels).HasConversion(Json<List<string>>(), ListComparer<string>());
        });
        model.Entity<RoutingRule>(e =>
        {
            e.ToTable("routing_rules");
            e.HasKey(x => x.Category);
            e.Property(x => x.HelperDepartments).HasConversion(Json<List<string>>(), ListComparer<string>());
        });
        model.Entity<FeedbackTask>(e =>
        {
            e.ToTable("feedback_tasks");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Assignee, x.Status });
            e.HasIndex(x => new { x.DepartmentId, x.Status });
            e.HasIndex(x => x.CaseNumber);
            e.HasIndex(x => x.BookmarkId).IsUnique();
            e.HasIndex(x => new { x.Status, x.DueAt }); // the overdue tasks the daily reminder looks for
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Fields).HasConversion(Json<List<TaskField>>(), ListComparer<TaskField>());
            e.Property(x => x.Actions).HasConversion(Json<List<string>>(), ListComparer<string>());
            e.Property(x => x.Excluded).HasConversion(Json<List<string>>(), ListComparer<string>());
            e.Property(x => x.CompletedValues).HasConversion(
                v => v == null ? null : v.ToJsonString(null),
                v => v == null ? null : System.Text.Json.Nodes.JsonNode.Parse(v, null, default)!.AsObject(),
                new ValueComparer<System.Text.Json.Nodes.JsonObject?>(
                    (a, b) => System.Text.Json.Nodes.JsonNode.DeepEquals(a, b), v => v == null ? 0 : v.ToJsonString(null).GetHashCode(),
                    v => v == null ? null : v.DeepClone().AsObject()));
        });
        model.Entity<Sla.CaseClock>(e =>
        {
            e.ToTable("sla_case_clocks");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CaseNumber, x.Name }).IsUnique();
            e.HasIndex(x => x.State);
            e.Property(x => x.CaseNumber).HasMaxLength(32);
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.CalendarId).HasMaxLength(64);
            e.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Basis).HasConversion<string>().HasMaxLength(16);
        });
        model.Entity<Sla.CaseClockEvent>(e =>
        {
            e.ToTable("sla_clock_events");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.CaseNumber, x.Id });
            e.Property(x => x.CaseNumber).HasMaxLength(32);
            e.Property(x => x.Clock).HasMaxLength(64);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        });
        model.Entity<Sla.SlaSettingRecord>(e =>
        {
            e.ToTable("sla_settings");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(80);
        });
        model.Entity<Links.UsedLink>(e =>
        {
            e.ToTable("used_links");
            e.HasKey(x => x.LinkId);
            e.Property(x => x.LinkId).HasMaxLength(64);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        });
        model.Entity<Links.DataProtectionKeyRecord>(e =>
        {
            e.ToTable("data_protection_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.FriendlyName).IsUnique();
        });
        model.Entity<Intake.UploadedPhoto>(e =>
        {
            e.ToTable("uploaded_photos");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.ContentType).HasMaxLength(32);
        });
        model.Entity<StaffCredential>(e =>
        {
            e.ToTable("staff_credentials");
            e.HasKey(x => x.UserName);
            e.Property(x => x.Stamp).HasMaxLength(64);
            e.Property(x => x.PasswordLinkId).HasMaxLength(64);
        });
        model.Entity<SignInThrottle>(e =>
        {
            e.ToTable("sign_in_throttles");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(300);
            e.Property(x => x.Version).IsConcurrencyToken();
            // The lockout prunes the ones whose window and lock have both run out.
            e.HasIndex(x => x.WindowStartedAt);
        });
        model.Entity<Intake.Mail.ReceivedMail>(e =>
        {
            e.ToTable("received_mail");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(100);
            e.Property(x => x.CaseNumber).HasMaxLength(32);
        });
        model.Entity<StaffRecords.StaffRecord>(e =>
        {
            e.ToTable("staff_records");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Employee, x.CreatedAt });
            e.HasIndex(x => new { x.Author, x.SuggestionCreditedAt });
            e.Property(x => x.Employee).HasMaxLength(64);
            e.Property(x => x.DepartmentId).HasMaxLength(64);
            e.Property(x => x.Author).HasMaxLength(200);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32);
            e.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        });
        ModelConventions.UseSnakeCaseColumns(model);
    }

    private static Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<T, string> Json<T>() =>
        new(v => JsonSerializer.Serialize(v, JsonOptions), v => JsonSerializer.Deserialize<T>(v, JsonOptions)!);

    private static ValueComparer<List<T>> ListComparer<T>() =>
        new((a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)), v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x)), v => v.ToList());

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}

/// <summary>The next case number of a year; incremented under a row lock so numbers are unique across hosts.</summary>
public sealed class CaseNumberCounter
{
    public int Year { get; set; }
    public long Next { get; set; }
}

/// <summary>PostgreSQL flavour.</summary>
public sealed class PostgresFeedbackDbContext(DbContextOptions<PostgresFeedbackDbContext> options) : FeedbackDbContext(options)
{
    public override bool SupportsRowLocks => true;
}

/// <summary>Embedded SQLite flavour.</summary>
public sealed class SqliteFeedbackDbContext(DbContextOptions<SqliteFeedbackDbContext> options) : FeedbackDbContext(options)
{
    public override bool SupportsRowLocks => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder builder) => ModelConventions.UseSortableDateTimeOffsets(builder);
}
