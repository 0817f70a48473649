using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Feedback.Activities;

/// <summary>How the feedback domain is set up.</summary>
public sealed class FeedbackDomainOptions
{
    /// <summary>The definition id of the process every new case runs.</summary>
    public string WorkflowDefinitionId { get; set; } = "general-feedback";

    /// <summary>The folder of customer message templates (<c>{message}.{language}.liquid</c>).</summary>
    public string? TemplatesFolder { get; set; }

    /// <summary>
    /// The company name used in customer messages (<c>Company:Name</c>), written as is in every language; empty leaves it
    /// out, since no default reads right in all three.
    /// </summary>
    public string CompanyName { get; set; } = "";

    /// <summary>Where customer mail goes.</summary>
    public Notification.EmailOptions Email { get; set; } = new();

    /// <summary>The language of every mail to staff (tasks, escalations and alerts, SLA warnings, helper and note notices, password links, the monthly report): zh-CN, zh-TW or en.</summary>
    public string StaffLanguage { get; set; } = "zh-CN";

    /// <summary>An organisation file loaded when the directory is empty; null loads none.</summary>
    public string? OrganizationSeedFile { get; set; }

    /// <summary>The shipped SLA calendars and policies.</summary>
    public Sla.SlaOptions Sla { get; set; } = new();

    /// <summary>Report calendar, repeat window and the customer-key secret.</summary>
    public Reports.ReportOptions Reports { get; set; } = new();

    /// <summary>How long personal data is kept.</summary>
    public Retention.RetentionOptions Retention { get; set; } = new();

    /// <summary>Where imported reviews go by their rating.</summary>
    public Intake.ReviewImportOptions Reviews { get; set; } = new();
}

/// <summary>Service registration for the feedback domain.</summary>
public static class FeedbackServiceCollectionExtensions
{
    /// <summary>Registers cases, their storage and the domain's activities.</summary>
    /// <exception cref="InvalidOperationException"><c>AddFeedbackWorkflows</c> was not called first.</exception>
    public static IServiceCollection AddFeedbackDomain(this IServiceCollection services, Action<FeedbackDomainOptions>? configure = null)
    {
        var runtime = services.LastOrDefault(d => d.ServiceType == typeof(WorkflowRuntimeOptions))?.ImplementationInstance as WorkflowRuntimeOptions
            ?? throw new InvalidOperationException("Call AddFeedbackWorkflows before AddFeedbackDomain: the domain shares the runtime's database.");
        runtime.ActivityAssemblies.Add(typeof(FeedbackServiceCollectionExtensions).Assembly);
        var options = new FeedbackDomainOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        switch (runtime.Provider)
        {
            case DatabaseProvider.PostgreSql:
                services.AddPooledDbContextFactory<PostgresFeedbackDbContext>(o => o.UseNpgsql(runtime.ConnectionString, n => n.MigrationsHistoryTable("__feedback_migrations")));
                services.AddSingleton<IDbContextFactory<FeedbackDbContext>>(sp => new Upcast<PostgresFeedbackDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresFeedbackDbContext>>()));
                break;
            default:
                services.AddPooledDbContextFactory<SqliteFeedbackDbContext>(o => o.UseSqlite(runtime.ConnectionString, s => s.MigrationsHistoryTable("__feedback_migrations")));
                services.AddSingleton<IDbContextFactory<FeedbackDbContext>>(sp => new Upcast<SqliteFeedbackDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteFeedbackDbContext>>()));
                break;
        }
        services.AddSingleton<CaseService>();
        services.AddSingleton<MaliciousFlags>();
        services.AddSingleton<ComplainedAboutNaming>();
        services.AddSingleton<CaseOwnerChange>();
        services.AddSingleton<DuplicateMarks>();
        services.AddSingleton<PraiseMarks>();
        services.AddSingleton<CaseNotes>();
        services.AddSingleton<CaseSearch>();
        services.AddSingleton<Tasks.TaskService>();
        services.AddSingleton<Surveys.SurveyService>();
        services.AddSingleton<Feedback.Workflows.Runtime.ICommitParticipant, CaseCommitParticipant>();
        // After the case participant: clocks follow the case as that step left it.
        services.AddSingleton<Feedback.Workflows.Runtime.ICommitParticipant, Sla.SlaCommitParticipant>();
        services.AddSingleton(options.Sla);
        services.AddSingleton<Sla.SlaSettingsService>();
        services.AddSingleton<Sla.SlaClockService>();
        services.AddSingleton<Feedback.Workflows.Runtime.Background.IOutboxHandler, Sla.SlaRecheckOutboxHandler>();
        services.AddSingleton<Intake.ReviewImporter>();
        services.AddSingleton<Organization.DirectoryService>();
        services.AddSingleton<Notification.MessageTemplates>();
        services.AddSingleton(options.Email);
        services.AddSingleton(options.Reports);
        services.AddSingleton<Reports.ReportService>();
        services.AddSingleton<StaffRecords.StaffRecordService>();
        services.AddSingleton<Reports.CaseList>();
        services.AddSingleton<Audit.AuditTrail>();
        options.Retention.Validate();
        services.AddSingleton(options.Retention);
        services.AddSingleton<Retention.RetentionService>();
        services.AddSingleton<Retention.WorkflowDataRetention>();
        services.AddSingleton<Notification.SmtpConnectionPool>();
        services.AddSingleton<Feedback.Workflows.Runtime.Background.IOutboxHandler, Notification.EmailOutboxHandler>();
        services.AddSingleton<Notification.MailFailureRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Notification.MailFailureRecorder>());
        services.AddHostedService<FeedbackDatabaseMigrator>();
        services.AddHostedService<Organization.OrganizationSeeder>();
        services.AddHostedService<Sla.SlaSettingsSeeder>();
        if (runtime.RunBackgroundWorkers) services.AddHostedService<Retention.RetentionJob>();
        return services;
    }

    private sealed class Upcast<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<FeedbackDbContext> where TContext : FeedbackDbContext
    {
        public FeedbackDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<FeedbackDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => await inner.CreateDbContextAsync(cancellationToken);
    }
}

/// <summary>Creates and upgrades the domain's tables at start-up, beside the runtime's.</summary>
internal sealed class FeedbackDatabaseMigrator(IDbContextFactory<FeedbackDbContext> dbFactory, Feedback.Workflows.Persistence.StartupRetry retry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("domain schema", MigrateAsync, cancellationToken);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await Feedback.Workflows.Persistence.DatabaseMigrator.PrepareAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
