using Feedback.Activities;
using Feedback.Host;
using Feedback.Workflows;
using Feedback.Workflows.Api;
using Feedback.Host.Api;
using Feedback.Host.Studio;
using Feedback.Host.Links;
using Feedback.Host.Pages;

var builder = WebApplication.CreateBuilder(args);
var settings = HostConfiguration.Read(builder.Configuration, builder.Environment);

builder.Services.AddFeedbackWorkflows(o =>
{
    o.Provider = settings.Provider;
    o.ConnectionString = settings.ConnectionString;
    o.ShippedDefinitionsFolder = settings.ShippedDefinitionsFolder;
});
builder.Services.AddFeedbackDomain(o =>
{
    o.OrganizationSeedFile = settings.OrganizationSeedFile;
    o.TemplatesFolder = Path.Combine(AppContext.BaseDirectory, "workflows", "templates");
    o.CompanyName = builder.Configuration["Company:Name"] ?? o.CompanyName;
    o.WorkflowDefinitionId = builder.Configuration["Feedback:WorkflowDefinitionId"] ?? o.WorkflowDefinitionId;
    o.Email = settings.Email;
});
builder.Services.AddFeedbackLinks(builder.Configuration.GetSection("Links").Get<MailLinkOptions>() ?? new MailLinkOptions());
builder.Services.AddFeedbackPages(settings.Email, settings.DataFolder);
builder.Services.AddExceptionHandler<FeedbackApiExceptionHandler>();
var studioTokens = builder.AddFeedbackStudio(settings.ApiKey);
builder.Services.AddElsaApi(new ElsaApiOptions { ApiKey = settings.ApiKey, ValidateBearerToken = studioTokens.IsValid });

var app = builder.Build();
app.UseExceptionHandler();
app.MapElsaApi();
app.MapHostEndpoints();
app.MapFeedbackStudio();
app.MapFeedbackApi();
app.MapTaskApi();
app.MapDirectoryApi();
app.MapFeedbackPages();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Feedback.Host");
    log.LogInformation("Feedback Workflows is running on {Urls} with {Provider}", string.Join(", ", app.Urls), settings.Provider);
    if (settings.ApiKeyGenerated)
        log.LogWarning("Development API key (set Security:ApiKey to choose your own): {ApiKey}", settings.ApiKey);
});

app.Run();

/// <summary>Entry point, visible to the in-process test host.</summary>
public partial class Program;
