using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>Runs definitions through the executor without a database, for semantics tests.</summary>
public sealed class InMemoryRunner
{
    private readonly ServiceProvider _services;
    private readonly WorkflowExecutor _executor;

    public InMemoryRunner(params Type[] extraActivities)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddWorkflowExpressions();
        var registry = new ActivityRegistry().AddFromAssembly(typeof(WorkflowExecutor).Assembly);
        foreach (var type in extraActivities) registry.Add(type);
        services.AddSingleton(registry);
        services.AddSingleton<IClock>(Clock);
        _services = services.BuildServiceProvider();
        Registry = registry;
        Reader = new WorkflowDefinitionReader(registry, _services.GetServices<IExpressionHandler>());
        _executor = new WorkflowExecutor(_services.GetServices<IExpressionHandler>(), Clock, NullLogger<WorkflowExecutor>.Instance);
    }

    public ActivityRegistry Registry { get; }
    public WorkflowDefinitionReader Reader { get; }
    public TestClock Clock { get; } = new();

    public WorkflowModel Read(JsonObject definition) => Reader.Read(definition, "def", "ver", 1);

    public async Task<Run> StartAsync(JsonObject definition, JsonObject? input = null, string? triggerActivityId = null)
    {
        var model = Read(definition);
        var state = _executor.CreateState(model, Ids.New(), null, input?.ToDictionary(kv => kv.Key, kv => kv.Value));
        var context = await _executor.StartAsync(model, state, triggerActivityId, _services, CancellationToken.None);
        return new Run(model, state, [context]);
    }

    public Task ResumeAsync(Run run, Bookmark bookmark, JsonObject? input) =>
        ResumeAsync(run, bookmark, input?.ToDictionary(kv => kv.Key, kv => kv.Value));

    public async Task ResumeAsync(Run run, Bookmark bookmark, IReadOnlyDictionary<string, JsonNode?>? input = null) =>
        run.Bursts.Add(await _executor.ResumeAsync(run.Model, run.State, bookmark, input, _services, CancellationToken.None));

    public async Task CancelAsync(Run run) => run.Bursts.Add(await _executor.CancelAsync(run.Model, run.State, _services, CancellationToken.None));

    public async Task RetryAsync(Run run) => run.Bursts.Add(await _executor.RetryAsync(run.Model, run.State, _services, CancellationToken.None));

    /// <summary>An instance under test and every burst it went through.</summary>
    public sealed record Run(WorkflowModel Model, WorkflowState State, List<WorkflowExecutionContext> Bursts)
    {
        /// <summary>Activity ids in the order they completed, over all bursts.</summary>
        public List<string> Completed => Bursts.SelectMany(b => b.Journal).Where(j => j.EventName == "Completed").Select(j => j.ActivityId).ToList();

        public List<string> Events(string eventName) => Bursts.SelectMany(b => b.Journal).Where(j => j.EventName == eventName).Select(j => j.ActivityId).ToList();

        public WorkflowExecutionContext Last => Bursts[^1];

        /// <summary>Domain items activities enlisted, over all bursts.</summary>
        public IEnumerable<T> Staged<T>() => Bursts.SelectMany(b => b.CommitItems).OfType<T>();

        public Bookmark BookmarkOf(string activityId) => State.Bookmarks.Single(b => b.ActivityId == activityId);

        public JsonNode? Variable(string name) => State.Variables[Model.Variables.Single(v => v.Name == name).Id];
    }
}

/// <summary>A clock tests move by hand.</summary>
public sealed class TestClock : IClock
{
    public DateTimeOffset UtcNow { get; set; } = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    public void Advance(TimeSpan by) => UtcNow += by;
}
