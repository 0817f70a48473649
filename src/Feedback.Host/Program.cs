using Feedback.Activities;
using Feedback.Host;
using Feedback.Workflows;
using Feedback.Workflows.Api;
using Feedback.Host.Api;
using Feedback.Host.Studio;
using Feedback.Host.Reports;
using Feedback.Host.Links;
using Feedback.Host.Pages;
using Feedback.Host.Staff;

// `hash-password`: reads a password from standard input and prints the hash Admin:Users:N:PasswordHash takes.
if (args is ["hash-password"])
{
    var password = Console.In.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        Console.Error.WriteLine("hash-password: give the password on standard input, e.g. read -rs P && echo \"$P\" | dotnet run --project src/Feedback.Host -- hash-password");
        return 2;
    }
    Console.WriteLine(StudioUsers.HashPassword(password));
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
var settings = HostConfiguration.Read(builder.Configuration, builder.Environment);

builder.Services.AddFeedbackWorkflows(o =>
{
    o.Provider = settings.Provider;
    o.ConnectionString = settings.ConnectionString;
    o.ShippedDefinitionsFolder = settings.ShippedDefinitionsFolder;
    o.OutboxConcurrency = settings.OutboxConcurrency;
    o.OutboxJournalFolder = settings.OutboxJournalFolder;
    o.DatabaseWaitAtStartup = settings.DatabaseWaitAtStartup;
    o.MaxConcurrentSteps = settings.MaxConcurrentSteps;
});
builder.Services.AddFeedbackDomain(o =>
{
    o.OrganizationSeedFile = settings.OrganizationSeedFile;
    o.TemplatesFolder = Path.Combine(AppContext.BaseDirectory, "workflows", "templates");
    o.CompanyName = builder.Configuration["Company:Name"] ?? o.CompanyName;
    o.StaffLanguage = builder.Configuration["Feedback:StaffLanguage"] is { Length: > 0 } staffLanguage
        ? Feedback.Host.Pages.Shared.PageLanguage.Match(staffLanguage)
            ?? throw new InvalidOperationException($"Feedback:StaffLanguage is '{staffLanguage}'; use zh-CN, zh-TW or en.")
        : o.StaffLanguage;
    o.WorkflowDefinitionId = builder.Configuration["Feedback:WorkflowDefinitionId"] ?? o.WorkflowDefinitionId;
    o.Email = settings.Email;
    // Empty settings turn the loading off, like the shipped definitions.
    var calendars = builder.Configuration["Sla:CalendarsFolder"] ?? Path.Combine(AppContext.BaseDirectory, "workflows", "calendars");
    var policies = builder.Configuration["Sla:PoliciesFile"] ?? Path.Combine(AppContext.BaseDirectory, "workflows", "sla", "policies.json");
    o.Sla.CalendarsFolder = string.IsNullOrWhiteSpace(calendars) ? null : calendars;
    o.Sla.PoliciesFile = string.IsNullOrWhiteSpace(policies) ? null : policies;
    o.Reports.TimeZone = builder.Configuration["Reports:TimeZone"] ?? o.Reports.TimeZone;
    o.Reports.RepeatWindowDays = builder.Configuration.GetValue("Reports:RepeatWindowDays", o.Reports.RepeatWindowDays);
    o.Reports.CustomerKeySecret = settings.CustomerKeySecret;
    o.Retention.Years = builder.Configuration.GetValue("Retention:Years", o.Retention.Years);
    o.Retention.Interval = builder.Configuration.GetValue("Retention:Interval", o.Retention.Interval);
    o.Retention.DeliveredMailKeptFor = builder.Configuration.GetValue("Retention:DeliveredMailKeptFor", o.Retention.DeliveredMailKeptFor);
    o.Reviews.PraiseFrom = builder.Configuration.GetValue("Feedback:Reviews:PraiseFrom", o.Reviews.PraiseFrom);
    o.Reviews.PraiseProcess = builder.Configuration["Feedback:Reviews:PraiseProcess"] ?? o.Reviews.PraiseProcess;
});
builder.Services.AddFeedbackLinks(builder.Configuration.GetSection("Links").Get<MailLinkOptions>() ?? new MailLinkOptions());
builder.Services.AddFeedbackPages(settings.Email, settings.DataFolder);
builder.Services.AddFeedbackStaff(builder.Configuration.GetSection("StaffSignIn").Get<StaffSignInOptions>() ?? new StaffSignInOptions());
Feedback.Host.Intake.MailIntakeSetup.AddHostMailIntake(builder.Services, builder.Configuration);
builder.Services.AddExceptionHandler<FeedbackApiExceptionHandler>();
builder.Services.AddPublicPostLimits(builder.Configuration);
builder.Services.AddSingleton<Feedback.Host.Access.StaffActorResolver>();
builder.Services.AddSingleton<Feedback.Host.Reports.ReportHandlers>();
var studioTokens = builder.AddFeedbackStudio(settings.ApiKey);
builder.Services.AddElsaApi(new ElsaApiOptions { ApiKey = settings.ApiKey, ValidateBearerToken = studioTokens.IsValid });

var app = builder.Build();
app.UseExceptionHandler();
app.UseRateLimiter();
app.MapElsaApi();
app.MapHostEndpoints();
app.MapFeedbackStudio();
app.MapFeedbackApi();
app.MapTaskApi();
app.MapDirectoryApi();
app.MapSlaApi();
app.MapStaffRecordApi();
app.MapReports();
app.MapFeedbackPages();
app.MapFeedbackStaff();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Feedback.Host");
    log.LogInformation("Feedback Workflows is running on {Urls} with {Provider}", string.Join(", ", app.Urls), settings.Provider);
    // The key opens every API: logs are read and kept by more people than should hold it, so only its place is told.
    if (settings.ApiKeyFile is { } keyFile)
        log.LogWarning("Development API key in use, kept in {ApiKeyFile} (set Security:ApiKey to choose your own)", keyFile);
});

app.Run();
return 0;

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
