using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Runtime;

/// <summary>One burst of one instance: its state plus what the burst changes (bookmarks, journal, outbox).</summary>
public sealed class WorkflowExecutionContext : IExpressionScope
{
    internal WorkflowExecutionContext(WorkflowModel workflow, WorkflowState state, IServiceProvider services, IClock clock, ActivityInvoker invoker, CancellationToken cancellationToken)
    {
        Invoker = invoker;
        Workflow = workflow;
        State = state;
        Services = services;
        Clock = clock;
        CancellationToken = cancellationToken;
    }

    public WorkflowModel Workflow { get; }
    public WorkflowState State { get; }
    public IServiceProvider Services { get; }
    public IClock Clock { get; }
    public CancellationToken CancellationToken { get; }
    internal ActivityInvoker Invoker { get; }

    /// <summary>Bookmarks created in this burst (still open at its end).</summary>
    public List<Bookmark> AddedBookmarks { get; } = new();
    /// <summary>Bookmarks that existed before this burst and were resumed or cancelled in it.</summary>
    public List<Bookmark> RemovedBookmarks { get; } = new();
    public List<JournalEntry> Journal { get; } = new();
    public List<OutboxMessage> Outbox { get; } = new();
    /// <summary>Domain changes staged by activities, applied by <see cref="ICommitParticipant"/>s inside the commit.</summary>
    public List<object> CommitItems { get; } = new();
    /// <summary>
    /// Values the activities of this burst share and never store, such as a row several of them read; gone with the
    /// burst, so a value here is never older than the burst.
    /// </summary>
    public Dictionary<string, object> BurstValues { get; } = new(StringComparer.Ordinal);

    public string WorkflowInstanceId => State.Id;
    public string WorkflowDefinitionId => State.DefinitionId;
    public string WorkflowDefinitionVersionId => State.DefinitionVersionId;
    public int WorkflowDefinitionVersion => State.DefinitionVersion;
    public string? CorrelationId { get => State.CorrelationId; set => State.CorrelationId = value; }
    public string? WorkflowInstanceName { get => State.Name; set => State.Name = value; }
    public IReadOnlyList<VariableDefinition> Variables => Workflow.Variables;
    public IReadOnlyDictionary<string, JsonNode?> WorkflowInput => State.Input;
    public JsonNode? LastResult => State.LastResult;

    public JsonNode? GetVariable(string nameOrId)
    {
        var variable = FindVariable(nameOrId);
        return State.Variables.TryGetValue(variable.Id, out var value) ? value : null;
    }

    public void SetVariable(string nameOrId, JsonNode? value) =>
        State.Variables[FindVariable(nameOrId).Id] = value?.DeepClone();

    public JsonNode? GetActivityOutput(string activityIdOrName, string? outputName)
    {
        var id = Workflow.Root.ById.ContainsKey(activityIdOrName)
            ? activityIdOrName
            : Workflow.Root.Activities.FirstOrDefault(a => a.Name == activityIdOrName)?.Id;
        if (id is null || !State.ActivityOutputs.TryGetValue(id, out var outputs)) return null;
        return outputs.TryGetValue(outputName ?? "Result", out var value) ? value : null;
    }

    internal VariableDefinition FindVariable(string nameOrId) =>
        Workflow.Variables.FirstOrDefault(v => v.Id == nameOrId)
        ?? Workflow.Variables.FirstOrDefault(v => v.Name == nameOrId)
        ?? throw new KeyNotFoundException($"The workflow has no variable '{nameOrId}'. Declared: {string.Join(", ", Workflow.Variables.Select(v => v.Name))}.");

    internal void AddJournal(ActivityNode? node, string? activityInstanceId, string eventName, string? message = null, JsonNode? payload = null) =>
        Journal.Add(new JournalEntry
        {
            Id = Ids.New(),
            WorkflowInstanceId = State.Id,
            ActivityInstanceId = activityInstanceId,
            ActivityId = node?.Id ?? Workflow.Root.Id,
            ActivityType = node?.Type ?? WorkflowModel.FlowchartType,
            ActivityTypeVersion = node?.Version ?? 1,
            ActivityName = node?.Name ?? (node is null ? "Flowchart1" : null),
            NodeId = node?.NodeId ?? Workflow.Root.NodeId,
            Timestamp = Clock.UtcNow,
            Sequence = ++State.JournalSequence,
            EventName = eventName,
            Message = message,
            Payload = payload,
        });
}

/// <summary>What an executing activity can see and do: its evaluated inputs, outputs, variables, bookmarks and outcomes.</summary>
public sealed class ActivityExecutionContext
{
    private readonly Dictionary<Activities.Input, object?> _inputValues;
    private readonly Dictionary<Activities.Output, ActivityOutputInfo> _outputs;
    private List<string>? _outcomes;

    internal ActivityExecutionContext(
        WorkflowExecutionContext workflow,
        ActivityNode node,
        ActivityInstanceState instance,
        Dictionary<Activities.Input, object?> inputValues,
        Dictionary<Activities.Output, ActivityOutputInfo> outputs,
        IReadOnlyDictionary<string, JsonNode?> input,
        Bookmark? resumedBookmark,
        bool isTriggerOfWorkflow)
    {
        WorkflowContext = workflow;
        Node = node;
        Instance = instance;
        _inputValues = inputValues;
        _outputs = outputs;
        Input = input;
        ResumedBookmark = resumedBookmark;
        IsTriggerOfWorkflow = isTriggerOfWorkflow;
    }

    public WorkflowExecutionContext WorkflowContext { get; }
    public ActivityNode Node { get; }
    internal ActivityInstanceState Instance { get; }

    public string WorkflowInstanceId => WorkflowContext.State.Id;
    public string ActivityId => Node.Id;
    public string ActivityInstanceId => Instance.Id;
    public IServiceProvider Services => WorkflowContext.Services;
    public CancellationToken CancellationToken => WorkflowContext.CancellationToken;
    public DateTimeOffset Now => WorkflowContext.Clock.UtcNow;
    public string? CorrelationId { get => WorkflowContext.CorrelationId; set => WorkflowContext.CorrelationId = value; }

    /// <summary>Input of this step: the resume input when a bookmark was resumed, otherwise what the scheduler passed.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Input { get; }

    /// <summary>The bookmark being resumed, in <see cref="Activities.Activity.ResumeAsync"/>.</summary>
    public Bookmark? ResumedBookmark { get; }

    /// <summary>True when this activity is the trigger that started the instance (it should complete at once).</summary>
    public bool IsTriggerOfWorkflow { get; }

    /// <summary>State kept with this activity execution between execute and resume.</summary>
    public JsonObject Properties => Instance.Properties;

    public bool HasCompleted => _outcomes is not null;
    public IReadOnlyList<string> Outcomes => _outcomes ?? [];
    internal List<Bookmark> CreatedBookmarks { get; } = new();

    /// <summary>The evaluated value of an input; default when the designer left it empty.</summary>
    public T? Get<T>(Activities.Input<T>? input) =>
        input is not null && _inputValues.TryGetValue(input, out var value) && value is not null ? (T)value : default;

    /// <summary>Records an output: kept for later activities and written to its bound variable, if any.</summary>
    public void Set<T>(Activities.Output<T>? output, T? value)
    {
        if (output is null) return;
        var name = _outputs.TryGetValue(output, out var info) ? info.Name : "Result";
        var json = Serialization.ValueConverter.ToJson(value);
        var state = WorkflowContext.State;
        (state.ActivityOutputs.TryGetValue(Node.Id, out var outputs) ? outputs : state.ActivityOutputs[Node.Id] = new())[name] = json;
        if (name == "Result") state.LastResult = json?.DeepClone();
        if (Node.OutputBindings.TryGetValue(name, out var variableId)) WorkflowContext.SetVariable(variableId, json);
    }

    public JsonNode? GetVariable(string nameOrId) => WorkflowContext.GetVariable(nameOrId);

    /// <summary>Evaluates an expression the runtime did not evaluate up front (FlowSwitch case conditions and the like).</summary>
    /// <exception cref="ActivityFaultException">The expression failed; the message names this activity and <paramref name="label"/>.</exception>
    public async ValueTask<T?> EvaluateAsync<T>(Model.Expression expression, string label) =>
        (T?)await WorkflowContext.Invoker.EvaluateAsync(Node, label, expression, typeof(T), WorkflowContext, CancellationToken);

    public T? GetVariable<T>(string nameOrId) => (T?)Serialization.ValueConverter.Convert(GetVariable(nameOrId), typeof(T));

    public void SetVariable(string nameOrId, object? value) => WorkflowContext.SetVariable(nameOrId, Serialization.ValueConverter.ToJson(value));

    /// <summary>Makes the activity wait for a stimulus; the instance suspends once nothing else can run.</summary>
    public Bookmark CreateBookmark(BookmarkRequest request)
    {
        var name = request.Name ?? Node.Type;
        var bookmark = new Bookmark
        {
            Id = Ids.New(),
            Name = name,
            Hash = BookmarkHash.Compute(name, request.Payload, request.IncludeActivityInstanceId ? Instance.Id : null),
            ActivityId = Node.Id,
            ActivityInstanceId = Instance.Id,
            Payload = request.Payload,
            ResumeAt = request.ResumeAt,
            CreatedAt = Now,
        };
        CreatedBookmarks.Add(bookmark);
        return bookmark;
    }

    /// <summary>Completes the activity with the given outcomes (<c>Done</c> when none are named).</summary>
    /// <exception cref="InvalidOperationException">The activity already completed in this step.</exception>
    public void Complete(params string[] outcomes)
    {
        if (_outcomes is not null) throw new InvalidOperationException($"Activity '{Node.DisplayName}' completed twice.");
        _outcomes = outcomes.Length == 0 ? [Model.Connection.DefaultOutcome] : outcomes.ToList();
    }

    /// <summary>Records a side effect to deliver after this step commits (mail, events, calls to other systems).</summary>
    public void AddOutboxMessage(string type, JsonObject payload) =>
        WorkflowContext.Outbox.Add(new OutboxMessage
        {
            Id = Ids.New(),
            Type = type,
            Payload = payload,
            WorkflowInstanceId = WorkflowInstanceId,
            ActivityInstanceId = Instance.Id,
            CreatedAt = Now,
        });

    /// <summary>Stages a domain change to be written in this step's commit by an <see cref="ICommitParticipant"/>.</summary>
    public void Enlist(object item) => WorkflowContext.CommitItems.Add(item);

    /// <summary>Adds a line to the instance journal under this activity.</summary>
    public void AddJournal(string eventName, string? message = null, JsonNode? payload = null) =>
        WorkflowContext.AddJournal(Node, Instance.Id, eventName, message, payload);
}
