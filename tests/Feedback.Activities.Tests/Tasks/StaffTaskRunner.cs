using System.Text.Json.Nodes;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>Runs definitions with StaffTask through the executor in memory (no case, so no database), keeping every burst.</summary>
internal sealed class StaffTaskRunner
{
    private readonly ServiceProvider _services;
    private readonly WorkflowExecutor _executor;
    private readonly WorkflowDefinitionReader _reader;

    public StaffTaskRunner()
    {
        IExpressionHandler[] handlers = [new LiteralExpressionHandler(), new ObjectExpressionHandler()];
        var registry = new ActivityRegistry().AddFromAssembly(typeof(WorkflowExecutor).Assembly).Add(typeof(StaffTask));
        _services = new ServiceCollection().AddLogging().BuildServiceProvider();
        _reader = new WorkflowDefinitionReader(registry, handlers);
        _executor = new WorkflowExecutor(handlers, new FixedClock(), NullLogger<WorkflowExecutor>.Instance);
    }

    public async Task<Run> StartAsync(JsonObject definition)
    {
        var model = _reader.Read(definition, "def", "ver", 1);
        var state = _executor.CreateState(model, Ids.New(), correlationId: null, input: null);
        return new Run(model, state, [await _executor.StartAsync(model, state, null, _services, CancellationToken.None)]);
    }

    public async Task ResumeAsync(Run run, Bookmark bookmark, IReadOnlyDictionary<string, JsonNode?>? input) =>
        run.Bursts.Add(await _executor.ResumeAsync(run.Model, run.State, bookmark, input, _services, CancellationToken.None));

    /// <summary>The resume input <see cref="TaskService"/> sends.</summary>
    public static Dictionary<string, JsonNode?> Completion(string action, JsonObject values, string by = "alice", string? key = "k1") => new()
    {
        [StaffTask.CompletionInputKey] = System.Text.Json.JsonSerializer.SerializeToNode(new StaffTaskCompletion(action, values, by, key), ElsaJson.Options),
    };

    /// <summary>An instance and its bursts.</summary>
    public sealed record Run(WorkflowModel Model, WorkflowState State, List<WorkflowExecutionContext> Bursts)
    {
        public WorkflowExecutionContext Last => Bursts[^1];
        public IEnumerable<T> Staged<T>() => Bursts.SelectMany(b => b.CommitItems).OfType<T>();
        public Bookmark BookmarkOf(string activityId) => State.Bookmarks.Single(b => b.ActivityId == activityId);
        public JsonNode? Variable(string name) => State.Variables[Model.Variables.Single(v => v.Name == name).Id];
        public List<string> Completed => Bursts.SelectMany(b => b.Journal).Where(j => j.EventName == "Completed").Select(j => j.ActivityId).ToList();
    }

    private sealed class FixedClock : IClock
    {
        public DateTimeOffset UtcNow => new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    }
}
