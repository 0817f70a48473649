using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tests.Escalation;

/// <summary>
/// Runs flows with domain activities in memory against a real case store (an SQLite file with the example
/// organisation), without committing: a test sees exactly what a step would stage, send and fault with.
/// <see cref="CommitAsync"/> then applies the staged case changes, as the step's commit would.
/// </summary>
internal sealed class CaseStepHarness : IAsyncDisposable
{
    private static readonly JsonSerializerOptions OrganizationJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly string _folder;
    private readonly ServiceProvider _services;
    private int _cases;

    private CaseStepHarness(string folder, ServiceProvider services)
    {
        _folder = folder;
        _services = services;
    }

    /// <summary>The time every step runs at.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static async Task<CaseStepHarness> CreateAsync()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("feedback-steps-").FullName;
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IClock>(new FixedClock());
        services.AddFeedbackWorkflows(o =>
        {
            o.Provider = DatabaseProvider.Sqlite;
            o.ConnectionString = $"Data Source={Path.Combine(folder, "feedback.db")};Pooling=false";
            o.RunBackgroundWorkers = false;
        });
        // Staff mail in English here: the steps' mail is read by these tests' assertions.
        services.AddFeedbackDomain(o =>
        {
            o.TemplatesFolder = Path.Combine(AppContext.BaseDirectory, "workflows", "templates");
            o.StaffLanguage = "en";
        });
        var harness = new CaseStepHarness(folder, services.BuildServiceProvider());
        await using (var db = await harness.DbAsync()) await db.Database.MigrateAsync();
        await harness.Directory.ReplaceAsync(await ExampleOrganizationAsync(), CancellationToken.None);
        return harness;
    }

    public DirectoryService Directory => _services.GetRequiredService<DirectoryService>();

    /// <summary>The example organisation shipped in workflows/directory.</summary>
    public static async Task<OrganizationDocument> ExampleOrganizationAsync()
    {
        await using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json"));
        return (await JsonSerializer.DeserializeAsync<OrganizationDocument>(stream, OrganizationJson))!;
    }

    /// <summary>Stores a product-quality case led by quality and owned by li.wei, changed by <paramref name="configure"/>.</summary>
    public async Task<FeedbackCase> AddCaseAsync(Action<FeedbackCase>? configure = null)
    {
        var feedback = new FeedbackCase
        {
            Number = $"FB-2026-{++_cases:000000}", ReceivedAt = Now.AddDays(-3), Channel = FeedbackChannel.ECommerceReview,
            CustomerName = "王女士", CustomerEmail = "wang@example.cn", Title = "罐头胀罐", Content = "买的红烧猪肉罐头胀罐了，打开有酸臭味。",
            Category = FeedbackCategory.ProductQuality, Severity = Severity.A, FoodSafety = true, Status = CaseStatus.UnderReview,
            LeadDepartment = "quality", Owner = "li.wei", WorkflowInstanceId = Ids.New(), WorkflowDefinitionId = "test", CreatedAt = Now, UpdatedAt = Now,
        };
        configure?.Invoke(feedback);
        await using var db = await DbAsync();
        db.Cases.Add(feedback);
        await db.SaveChangesAsync();
        return feedback;
    }

    /// <summary>Starts <paramref name="definition"/> correlated with the case and runs it until it blocks or ends.</summary>
    public async Task<Step> RunAsync(JsonObject definition, string caseNumber, IReadOnlyDictionary<string, JsonNode?>? variables = null)
    {
        var model = _services.GetRequiredService<WorkflowDefinitionReader>().Read(definition, "def", "ver", 1);
        var executor = _services.GetRequiredService<WorkflowExecutor>();
        var state = executor.CreateState(model, Ids.New(), caseNumber, null);
        foreach (var (name, value) in variables ?? new Dictionary<string, JsonNode?>())
            state.Variables[model.Variables.Single(v => v.Name == name).Id] = value?.DeepClone();
        return new Step(caseNumber, state, await executor.StartAsync(model, state, null, _services, CancellationToken.None));
    }

    /// <summary>Applies the step's staged case changes to the stored case, as the step's commit does (without history).</summary>
    public async Task<FeedbackCase> CommitAsync(Step step)
    {
        await using var db = await DbAsync();
        var feedback = await db.Cases.SingleAsync(c => c.Number == step.CaseNumber);
        foreach (var change in step.Changes) change.Apply(feedback);
        await db.SaveChangesAsync();
        return feedback;
    }

    /// <summary>The stored case with the step's staged changes applied, without storing them.</summary>
    public async Task<FeedbackCase> AfterAsync(Step step)
    {
        await using var db = await DbAsync();
        var feedback = await db.Cases.AsNoTracking().SingleAsync(c => c.Number == step.CaseNumber);
        foreach (var change in step.Changes) change.Apply(feedback);
        return feedback;
    }

    private Task<FeedbackDbContext> DbAsync() => _services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        System.IO.Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One burst: its state, what it staged for the commit, and what it would send.</summary>
    public sealed record Step(string CaseNumber, WorkflowState State, WorkflowExecutionContext Context)
    {
        public IReadOnlyList<CaseChange> Changes => Context.CommitItems.OfType<CaseChange>().ToList();
        public IReadOnlyList<JsonObject> Mails => Context.Outbox.Where(m => m.Type == NotifyCustomerType).Select(m => m.Payload).ToList();
        public IReadOnlyList<string> Completed => Context.Journal.Where(j => j.EventName == "Completed").Select(j => j.ActivityId).ToList();
        public JsonNode? Output(string activityId, string name) => State.ActivityOutputs[activityId][name];
        public string Incident => State.Incidents.Should().ContainSingle().Subject.Message;
    }

    private const string NotifyCustomerType = Feedback.Activities.Notification.NotifyCustomer.EmailOutboxType;

    private sealed class FixedClock : IClock
    {
        public DateTimeOffset UtcNow => Now;
    }
}
