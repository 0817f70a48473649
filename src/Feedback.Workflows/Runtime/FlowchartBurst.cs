using System.Text.Json.Nodes;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Activities.Flow;
using Feedback.Workflows.Model;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Runtime;

/// <summary>
/// Runs one burst of a flowchart: executes scheduled activities in FIFO order until every path is blocked or done.
/// Join rules (docs/ARCHITECTURE.md): an activity with several inbound edges waits until each has been decided
/// (taken or not taken); it runs if any was taken (implicit join), if all were (FlowJoin WaitAll) or on the first
/// taken one (FlowJoin WaitAny, which cancels its still-running ancestors). An activity none of whose edges was
/// taken is skipped, and "not taken" flows on through its outbound edges, so downstream joins never wait for a
/// branch that will not come.
/// </summary>
internal sealed class FlowchartBurst
{
    private readonly WorkflowExecutionContext _context;
    private readonly ActivityInvoker _invoker;
    private readonly ILogger _logger;
    private readonly FlowGraph _graph;
    private readonly LinkedList<(string ActivityId, Dictionary<string, JsonNode?>? Input)> _queue = new();
    private readonly string? _triggerActivityId;
    private bool _terminated;
    private readonly HashSet<int> _continuingCycles = new();
    private readonly HashSet<string> _propagating = new();

    public FlowchartBurst(WorkflowExecutionContext context, ActivityInvoker invoker, ILogger logger, string? triggerActivityId = null)
    {
        _context = context;
        _invoker = invoker;
        _logger = logger;
        _triggerActivityId = triggerActivityId;
        var start = context.State.StartActivityId ?? throw new InvalidOperationException("The instance has no start activity.");
        _graph = context.Workflow.Root.GraphFrom(start);
    }

    private WorkflowState State => _context.State;
    private FlowchartModel Flowchart => _context.Workflow.Root;

    public void Schedule(string activityId, Dictionary<string, JsonNode?>? input = null) => _queue.AddLast((activityId, input));

    /// <summary>Resumes the activity waiting on <paramref name="bookmark"/>, then drains the queue.</summary>
    public async Task ResumeAsync(Bookmark bookmark, IReadOnlyDictionary<string, JsonNode?> input)
    {
        State.Bookmarks.RemoveAll(b => b.Id == bookmark.Id);
        _context.RemovedBookmarks.Add(bookmark);
        if (!State.ActivityInstances.TryGetValue(bookmark.ActivityInstanceId, out var instance) || !Flowchart.ById.TryGetValue(bookmark.ActivityId, out var node))
            throw new InvalidOperationException($"Bookmark {bookmark.Id} points at activity {bookmark.ActivityId} which is not waiting in instance {State.Id}.");
        // Other bookmarks of the same activity instance (e.g. a timer and an event) stop counting once one resumes.
        RemoveBookmarks(b => b.ActivityInstanceId == instance.Id);
        await RunActivityAsync(node, instance, input, bookmark, isResume: true);
        await DrainAsync();
    }

    public async Task DrainAsync()
    {
        while (_queue.First is { } first && !_terminated && !IsStopped)
        {
            _queue.RemoveFirst();
            _context.CancellationToken.ThrowIfCancellationRequested();
            var (activityId, input) = first.Value;
            var node = Flowchart.ById[activityId];
            var instance = new ActivityInstanceState { Id = Ids.New(), ActivityId = activityId, StartedAt = _context.Clock.UtcNow, ScheduledInput = input };
            State.ActivityInstances[instance.Id] = instance;
            await RunActivityAsync(node, instance, (IReadOnlyDictionary<string, JsonNode?>?)input ?? new Dictionary<string, JsonNode?>(), null, isResume: false);
        }
        // A fault stopped the burst with work still queued (a sibling branch, a second target of one port): keep it
        // in the state, so that a retry runs it and the instance does not finish without it.
        if (State.SubStatus == WorkflowSubStatus.Faulted && !_terminated)
        {
            State.Scheduled.AddRange(_queue.Select(q => new ScheduledActivity(q.ActivityId, q.Input)));
            _queue.Clear();
        }
    }

    /// <summary>Re-runs faulted activities from scratch (retry of an incident).</summary>
    public async Task RetryFaultedAsync()
    {
        foreach (var faulted in State.ActivityInstances.Values.Where(i => i.Status == ActivityStatus.Faulted).ToList())
        {
            State.ActivityInstances.Remove(faulted.Id);
            Schedule(faulted.ActivityId, faulted.ScheduledInput);
        }
        // What the fault left queued runs after the faulted activities, in the order it was scheduled.
        foreach (var scheduled in State.Scheduled) Schedule(scheduled.ActivityId, scheduled.Input);
        State.Scheduled.Clear();
        await DrainAsync();
    }

    private bool IsStopped => State.SubStatus is WorkflowSubStatus.Faulted or WorkflowSubStatus.Cancelled or WorkflowSubStatus.Finished;

    private async Task RunActivityAsync(ActivityNode node, ActivityInstanceState instance, IReadOnlyDictionary<string, JsonNode?> input, Bookmark? bookmark, bool isResume)
    {
        _context.AddJournal(node, instance.Id, isResume ? "Resumed" : "Started");
        ActivityExecutionContext activityContext;
        try
        {
            var prepared = await _invoker.PrepareAsync(node, _context, _context.Services, _context.CancellationToken);
            activityContext = new ActivityExecutionContext(_context, node, instance, prepared.Inputs, prepared.Outputs, input, bookmark,
                isTriggerOfWorkflow: !isResume && node.Id == _triggerActivityId);
            if (isResume) await prepared.Activity.ResumeAsync(activityContext);
            else await prepared.Activity.ExecuteAsync(activityContext);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_context.CancellationToken.IsCancellationRequested)
        {
            Fault(node, instance, e);
            return;
        }

        foreach (var created in activityContext.CreatedBookmarks)
        {
            State.Bookmarks.Add(created);
            _context.AddedBookmarks.Add(created);
        }
        if (activityContext.HasCompleted)
        {
            // A completed activity's own leftover bookmarks would resume nothing.
            RemoveBookmarks(b => b.ActivityInstanceId == instance.Id);
            State.ActivityInstances.Remove(instance.Id);
            _context.AddJournal(node, instance.Id, "Completed", payload: new JsonObject { ["outcomes"] = new JsonArray(activityContext.Outcomes.Select(o => (JsonNode?)o).ToArray()) });
            if (node.TypeInfo.Descriptor.IsTerminal) { await TerminateAsync(node); return; }
            await PropagateAsync(node.Id, activityContext.Outcomes);
        }
        else if (activityContext.CreatedBookmarks.Count > 0)
        {
            _context.AddJournal(node, instance.Id, "Suspended", payload: new JsonObject { ["bookmarks"] = new JsonArray(activityContext.CreatedBookmarks.Select(b => (JsonNode?)b.Name).ToArray()) });
        }
    }

    private void Fault(ActivityNode node, ActivityInstanceState instance, Exception e)
    {
        var message = e is ActivityFaultException ? e.Message : $"{ActivityInvoker.Describe(node)} failed: {e.Message}";
        _logger.LogWarning(e, "Instance {InstanceId}: {Message}", State.Id, message);
        instance.Status = ActivityStatus.Faulted;
        State.Incidents.Add(new Incident(node.Id, node.NodeId, node.Type, message, ExceptionState.From(e), _context.Clock.UtcNow));
        _context.AddJournal(node, instance.Id, "Faulted", message);
        if (_context.Workflow.IncidentStrategy == IncidentStrategy.Fault)
            State.SubStatus = WorkflowSubStatus.Faulted;
    }

    /// <summary>An End or Finish activity completes the whole flowchart: everything still open is cancelled.</summary>
    private async Task TerminateAsync(ActivityNode terminal)
    {
        await CancelAllAsync();
        _context.AddJournal(null, null, "Terminated", $"Ended by '{terminal.DisplayName}'.");
    }

    /// <summary>Cancels every open activity (their bookmarks go, and each may clean up in its CancelAsync).</summary>
    public async Task CancelAllAsync()
    {
        _queue.Clear();
        State.Scheduled.Clear();
        foreach (var open in State.ActivityInstances.Values.ToList())
            await CancelInstanceAsync(open, propagate: false);
        _terminated = true;
    }

    private async Task PropagateAsync(string sourceId, IReadOnlyList<string> outcomes)
    {
        var edges = _graph.Outbound(sourceId);
        // A completion that keeps its loop going makes the loop's exits undecided for everything this propagation
        // causes, including activities it skips inside the loop: none of them may mark an exit "not taken".
        var cycle = _graph.CycleOf(sourceId);
        var continuing = cycle is { } id && edges.Any(c => outcomes.Contains(c.SourcePort) && _graph.StaysInCycle(c)) && _continuingCycles.Add(id);
        var propagating = _propagating.Add(sourceId);
        try
        {
            foreach (var connection in edges)
            {
                var taken = outcomes.Contains(connection.SourcePort);
                if (_graph.IsBackward(connection))
                {
                    if (taken) Schedule(connection.TargetActivityId, new Dictionary<string, JsonNode?> { ["BackwardConnection"] = true });
                    continue;
                }
                if (!taken && _graph.LeavesCycle(connection) && _graph.CycleOf(sourceId) is { } from && _continuingCycles.Contains(from)) continue;
                await ArriveAsync(connection, taken);
            }
        }
        finally
        {
            if (continuing) _continuingCycles.Remove(cycle!.Value);
            if (propagating) _propagating.Remove(sourceId);
        }
        if (cycle is { } loop && !_continuingCycles.Contains(loop) && !LoopStillActive(loop))
        {
            // The loop has ended: exits that other activities of the loop left undecided while it iterated are not taken.
            // An activity whose own propagation is still under way (this one was a skip it caused) decides its exits
            // itself, when its remaining edges are walked.
            foreach (var exit in _graph.ExitsOf(loop).ToList())
                if (!(State.Flow.Arrivals.TryGetValue(exit.TargetActivityId, out var decided) && decided.ContainsKey(exit.Key))
                    && exit.SourceActivityId != sourceId && !_propagating.Contains(exit.SourceActivityId))
                    await ArriveAsync(exit, false);
        }
    }

    /// <summary>True while some activity of the loop is still open or scheduled (a parallel branch inside it).</summary>
    private bool LoopStillActive(int loop) =>
        State.ActivityInstances.Values.Any(i => i.Status == ActivityStatus.Running && _graph.IsOnCycle(i.ActivityId, loop))
        || _queue.Any(q => _graph.IsOnCycle(q.ActivityId, loop));

    private async Task ArriveAsync(Connection connection, bool taken)
    {
        var targetId = connection.TargetActivityId;
        var target = Flowchart.ById[targetId];
        var arrivals = State.Flow.Arrivals.TryGetValue(targetId, out var a) ? a : State.Flow.Arrivals[targetId] = new();
        arrivals[connection.Key] = taken || (arrivals.TryGetValue(connection.Key, out var before) && before);
        var inbound = _graph.ForwardInbound(targetId);
        var allDecided = inbound.All(c => arrivals.ContainsKey(c.Key));
        var mode = FlowJoin.ModeOf(target);

        if (mode == FlowJoinMode.WaitAny)
        {
            if (taken && State.Flow.FiredJoins.Add(targetId))
            {
                Schedule(targetId);
                await CancelAncestorsAsync(targetId);
                // Cancelling ancestors may already have decided every edge of this round.
                allDecided = inbound.All(c => arrivals.ContainsKey(c.Key));
            }
            if (allDecided)
            {
                var fired = State.Flow.FiredJoins.Remove(targetId);
                State.Flow.Arrivals.Remove(targetId);
                if (!fired) await SkipAsync(target);
            }
            return;
        }

        if (!allDecided) return;
        State.Flow.Arrivals.Remove(targetId);
        var run = mode == FlowJoinMode.WaitAll ? inbound.All(c => arrivals[c.Key]) : inbound.Any(c => arrivals[c.Key]);
        if (run) Schedule(targetId);
        else await SkipAsync(target);
    }

    private Task SkipAsync(ActivityNode node) => PropagateAsync(node.Id, []);

    private async Task CancelAncestorsAsync(string joinId)
    {
        var ancestors = _graph.ForwardAncestors(joinId);
        for (var item = _queue.First; item is not null;)
        {
            var next = item.Next;
            if (ancestors.Contains(item.Value.ActivityId) && item.Value.ActivityId != joinId)
            {
                _queue.Remove(item);
                await SkipAsync(Flowchart.ById[item.Value.ActivityId]);
            }
            item = next;
        }
        foreach (var open in State.ActivityInstances.Values.Where(i => ancestors.Contains(i.ActivityId) && i.Status == ActivityStatus.Running).ToList())
            await CancelInstanceAsync(open, propagate: true);
    }

    private async Task CancelInstanceAsync(ActivityInstanceState instance, bool propagate)
    {
        var node = Flowchart.ById[instance.ActivityId];
        State.ActivityInstances.Remove(instance.Id);
        RemoveBookmarks(b => b.ActivityInstanceId == instance.Id);
        try
        {
            var prepared = await _invoker.PrepareAsync(node, _context, _context.Services, _context.CancellationToken);
            var context = new ActivityExecutionContext(_context, node, instance, prepared.Inputs, prepared.Outputs, new Dictionary<string, JsonNode?>(), null, false);
            await prepared.Activity.CancelAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Cancellation must not resurrect the branch; the failure is recorded and the cancel stands.
            _logger.LogWarning(e, "Instance {InstanceId}: cancelling {Activity} failed", State.Id, node.DisplayName);
            _context.AddJournal(node, instance.Id, "CancelFailed", e.Message);
        }
        _context.AddJournal(node, instance.Id, "Cancelled");
        if (propagate) await SkipAsync(node);
    }

    private void RemoveBookmarks(Predicate<Bookmark> match)
    {
        foreach (var bookmark in State.Bookmarks.Where(b => match(b)).ToList())
        {
            State.Bookmarks.Remove(bookmark);
            // A bookmark created in this same burst was never stored; otherwise it must be deleted at commit.
            if (!_context.AddedBookmarks.Remove(bookmark)) _context.RemovedBookmarks.Add(bookmark);
        }
    }
}
