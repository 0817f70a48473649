using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// Runs bursts in memory: start, resume, retry, cancel. It touches no database; <see cref="WorkflowRuntime"/>
/// wraps each call in one transaction. Every method returns the burst's changes for the caller to commit.
/// </summary>
public sealed class WorkflowExecutor
{
    private readonly ActivityInvoker _invoker;
    private readonly IClock _clock;
    private readonly ILogger<WorkflowExecutor> _logger;

    public WorkflowExecutor(IEnumerable<IExpressionHandler> expressionHandlers, IClock clock, ILogger<WorkflowExecutor> logger)
    {
        _invoker = new ActivityInvoker(expressionHandlers);
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The time the executor stamps on states and journal lines.</summary>
    public DateTimeOffset Now => _clock.UtcNow;

    /// <summary>A fresh state for a new instance, with variables at their declared defaults.</summary>
    public WorkflowState CreateState(WorkflowModel workflow, string instanceId, string? correlationId, IReadOnlyDictionary<string, JsonNode?>? input)
    {
        var now = _clock.UtcNow;
        var state = new WorkflowState
        {
            Id = instanceId,
            DefinitionId = workflow.DefinitionId,
            DefinitionVersionId = workflow.VersionId,
            DefinitionVersion = workflow.Version,
            CorrelationId = correlationId,
            Name = workflow.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var variable in workflow.Variables)
            state.Variables[variable.Id] = DefaultValue(variable);
        if (input is not null)
            foreach (var (key, value) in input) state.Input[key] = value?.DeepClone();
        return state;
    }

    /// <summary>Runs a new instance from its start (or from <paramref name="triggerActivityId"/>) until it blocks or ends.</summary>
    /// <param name="commitItems">Enlisted before the first activity runs, so they commit with the instance (see <see cref="StartWorkflowRequest.CommitItems"/>).</param>
    public async Task<WorkflowExecutionContext> StartAsync(WorkflowModel workflow, WorkflowState state, string? triggerActivityId, IServiceProvider services, CancellationToken cancellationToken, IEnumerable<object>? commitItems = null)
    {
        var start = triggerActivityId is not null
            ? workflow.Root.ById.GetValueOrDefault(triggerActivityId) ?? throw new ArgumentException($"The workflow has no activity '{triggerActivityId}'.", nameof(triggerActivityId))
            : workflow.Root.DefaultStart;
        var context = new WorkflowExecutionContext(workflow, state, services, _clock, _invoker, cancellationToken);
        if (commitItems is not null) context.CommitItems.AddRange(commitItems);
        state.SubStatus = WorkflowSubStatus.Executing;
        context.AddJournal(null, null, "WorkflowStarted");
        if (start is not null)
        {
            state.StartActivityId = start.Id;
            var burst = new FlowchartBurst(context, _invoker, _logger, triggerActivityId);
            burst.Schedule(start.Id);
            await burst.DrainAsync();
        }
        return Finish(context);
    }

    /// <summary>Resumes the activity waiting on <paramref name="bookmark"/> with <paramref name="input"/>.</summary>
    public async Task<WorkflowExecutionContext> ResumeAsync(WorkflowModel workflow, WorkflowState state, Bookmark bookmark, IReadOnlyDictionary<string, JsonNode?>? input, IServiceProvider services, CancellationToken cancellationToken)
    {
        var context = new WorkflowExecutionContext(workflow, state, services, _clock, _invoker, cancellationToken);
        state.SubStatus = WorkflowSubStatus.Executing;
        if (input is not null)
            foreach (var (key, value) in input) state.Input[key] = value?.DeepClone();
        var burst = new FlowchartBurst(context, _invoker, _logger);
        await burst.ResumeAsync(bookmark, input ?? new Dictionary<string, JsonNode?>());
        return Finish(context);
    }

    /// <summary>Runs the faulted activities of a faulted or incident-carrying instance again.</summary>
    public async Task<WorkflowExecutionContext> RetryAsync(WorkflowModel workflow, WorkflowState state, IServiceProvider services, CancellationToken cancellationToken)
    {
        var context = new WorkflowExecutionContext(workflow, state, services, _clock, _invoker, cancellationToken);
        state.Status = WorkflowStatus.Running;
        state.SubStatus = WorkflowSubStatus.Executing;
        state.FinishedAt = null;
        state.Incidents.Clear();
        context.AddJournal(null, null, "WorkflowRetried");
        await new FlowchartBurst(context, _invoker, _logger).RetryFaultedAsync();
        return Finish(context);
    }

    /// <summary>Cancels the instance: open activities are cancelled (their bookmarks removed) and it ends as Cancelled.</summary>
    public async Task<WorkflowExecutionContext> CancelAsync(WorkflowModel workflow, WorkflowState state, IServiceProvider services, CancellationToken cancellationToken)
    {
        var context = new WorkflowExecutionContext(workflow, state, services, _clock, _invoker, cancellationToken);
        if (state.StartActivityId is not null)
            await new FlowchartBurst(context, _invoker, _logger).CancelAllAsync();
        // Anything left (a faulted activity, a bookmark without an open activity) goes too.
        context.RemovedBookmarks.AddRange(state.Bookmarks.Where(b => !context.AddedBookmarks.Remove(b)));
        state.Bookmarks.Clear();
        state.ActivityInstances.Clear();
        state.Scheduled.Clear();
        state.Status = WorkflowStatus.Finished;
        state.SubStatus = WorkflowSubStatus.Cancelled;
        state.FinishedAt = state.UpdatedAt = _clock.UtcNow;
        context.AddJournal(null, null, "WorkflowCancelled");
        return context;
    }

    private WorkflowExecutionContext Finish(WorkflowExecutionContext context)
    {
        var state = context.State;
        state.UpdatedAt = _clock.UtcNow;
        if (state.SubStatus == WorkflowSubStatus.Faulted)
        {
            state.Status = WorkflowStatus.Finished;
            state.FinishedAt = state.UpdatedAt;
            context.AddJournal(null, null, "WorkflowFaulted", state.Incidents.LastOrDefault()?.Message);
        }
        else if (state.ActivityInstances.Count == 0)
        {
            // Nothing open: the flowchart is done. Bookmarks cannot outlive their activities.
            context.RemovedBookmarks.AddRange(state.Bookmarks.Where(b => !context.AddedBookmarks.Remove(b)));
            state.Bookmarks.Clear();
            state.Flow.Arrivals.Clear();
            state.Flow.FiredJoins.Clear();
            state.Status = WorkflowStatus.Finished;
            state.SubStatus = WorkflowSubStatus.Finished;
            state.FinishedAt = state.UpdatedAt;
            context.AddJournal(null, null, "WorkflowFinished");
        }
        else
        {
            state.Status = WorkflowStatus.Running;
            state.SubStatus = WorkflowSubStatus.Suspended;
        }
        return context;
    }

    private static JsonNode? DefaultValue(VariableDefinition variable)
    {
        if (variable.DefaultValue is null) return null;
        var type = TypeAliases.Resolve(variable.TypeName);
        if (type == typeof(string) && !variable.IsArray) return JsonValue.Create(variable.DefaultValue);
        try { return JsonNode.Parse(variable.DefaultValue); }
        catch (System.Text.Json.JsonException) { return JsonValue.Create(variable.DefaultValue); }
    }
}
