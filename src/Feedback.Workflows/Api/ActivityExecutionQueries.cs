using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Api;

/// <summary>One execution of one activity, rebuilt from the journal lines that share an activity instance id.</summary>
public sealed record ActivityExecution(
    string Id,
    string WorkflowInstanceId,
    string ActivityId,
    string ActivityNodeId,
    string ActivityType,
    int ActivityTypeVersion,
    string? ActivityName,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    ActivityStatus Status,
    bool HasBookmarks,
    string? FaultMessage,
    JsonNode? Payload,
    IReadOnlyDictionary<string, JsonNode?>? Outputs,
    ExceptionState? Exception);

/// <summary>Per-activity counters for the instance viewer's badges (Elsa's activity execution stats).</summary>
public sealed record ActivityExecutionStats(string ActivityId, string ActivityNodeId, long StartedCount, long CompletedCount, long UncompletedCount, bool IsBlocked, bool IsFaulted);

/// <summary>
/// Activity executions and their statistics, derived from the journal (which already records every start, resume,
/// completion, fault and cancellation) plus the instance's open bookmarks. Nothing extra is written per burst.
/// </summary>
public sealed class ActivityExecutionQueries(IDbContextFactory<WorkflowDbContext> dbFactory)
{
    /// <summary>The executions of the given activities in one instance, oldest first.</summary>
    /// <param name="activityNodeIds">Node ids as the Studio knows them; matched on their last segment, the activity id,
    /// because a designer-assigned node id need not have the prefix the runtime derives.</param>
    /// <exception cref="WorkflowInstanceNotFoundException">No such instance.</exception>
    public async Task<IReadOnlyList<ActivityExecution>> ListAsync(string instanceId, IReadOnlyCollection<string> activityNodeIds, CancellationToken cancellationToken)
    {
        var activityIds = activityNodeIds.Select(ActivityIdOf).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken)
            ?? throw new WorkflowInstanceNotFoundException(instanceId);
        var query = db.Journal.AsNoTracking().Where(j => j.WorkflowInstanceId == instanceId && j.ActivityInstanceId != null);
        if (activityIds.Count > 0) query = query.Where(j => activityIds.Contains(j.ActivityId));
        var lines = await query.OrderBy(j => j.Sequence).ToListAsync(cancellationToken);
        return BuildAll(instanceId, lines, ReadState(instance));
    }

    /// <summary>One execution by its id (the activity instance id).</summary>
    public async Task<ActivityExecution?> FindAsync(string executionId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lines = await db.Journal.AsNoTracking().Where(j => j.ActivityInstanceId == executionId).OrderBy(j => j.Sequence).ToListAsync(cancellationToken);
        if (lines.Count == 0) return null;
        var instance = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == lines[0].WorkflowInstanceId, cancellationToken);
        // The latest execution of an activity carries its outputs, so the whole activity's history decides which one that is.
        var activityLines = await db.Journal.AsNoTracking()
            .Where(j => j.WorkflowInstanceId == lines[0].WorkflowInstanceId && j.ActivityId == lines[0].ActivityId && j.ActivityInstanceId != null)
            .OrderBy(j => j.Sequence).ToListAsync(cancellationToken);
        return BuildAll(lines[0].WorkflowInstanceId, activityLines, instance is null ? null : ReadState(instance)).FirstOrDefault(e => e.Id == executionId);
    }

    /// <summary>Counters per requested activity that has run at least once in the instance.</summary>
    public async Task<IReadOnlyList<ActivityExecutionStats>> ReportAsync(string instanceId, IReadOnlyCollection<string> activityNodeIds, CancellationToken cancellationToken)
    {
        var executions = await ListAsync(instanceId, activityNodeIds, cancellationToken);
        var byActivity = executions.ToLookup(e => e.ActivityId);
        var requested = activityNodeIds.Count > 0 ? activityNodeIds : executions.Select(e => e.ActivityNodeId).Distinct().ToList();
        return requested
            .Where(nodeId => byActivity.Contains(ActivityIdOf(nodeId)))
            .Select(nodeId =>
            {
                var runs = byActivity[ActivityIdOf(nodeId)].ToList();
                return new ActivityExecutionStats(
                    ActivityIdOf(nodeId), nodeId,
                    StartedCount: runs.Count,
                    CompletedCount: runs.Count(r => r.Status == ActivityStatus.Completed),
                    UncompletedCount: runs.Count(r => r.CompletedAt is null),
                    IsBlocked: runs.Any(r => r.HasBookmarks),
                    IsFaulted: runs.Any(r => r.Status == ActivityStatus.Faulted));
            })
            .ToList();
    }

    /// <summary>The activity id inside a node id (<c>Workflow1:root:write1</c> → <c>write1</c>).</summary>
    public static string ActivityIdOf(string nodeId)
    {
        var colon = nodeId.LastIndexOf(':');
        return colon < 0 ? nodeId : nodeId[(colon + 1)..];
    }

    private static List<ActivityExecution> BuildAll(string instanceId, List<JournalRecord> lines, WorkflowState? state)
    {
        var bookmarked = state?.Bookmarks.Select(b => b.ActivityInstanceId).ToHashSet(StringComparer.Ordinal) ?? [];
        var executions = lines.GroupBy(j => j.ActivityInstanceId!).Select(g => Build(instanceId, g.ToList(), bookmarked)).OrderBy(e => e.StartedAt).ToList();
        if (state is null) return executions;
        // The state keeps only the latest outputs of each activity; they belong to its latest completed execution.
        foreach (var latest in executions.Where(e => e.Status == ActivityStatus.Completed).GroupBy(e => e.ActivityId).Select(g => g.Last()).ToList())
            if (state.ActivityOutputs.TryGetValue(latest.ActivityId, out var outputs))
                executions[executions.IndexOf(latest)] = latest with { Outputs = outputs };
        // Incidents name the activity, not the execution; the one recorded at the moment of the fault is its cause.
        foreach (var faulted in executions.Where(e => e.Status == ActivityStatus.Faulted).ToList())
            if (state.Incidents.Where(i => i.ActivityId == faulted.ActivityId).MinBy(i => (i.Timestamp - faulted.CompletedAt!.Value).Duration()) is { } incident)
                executions[executions.IndexOf(faulted)] = faulted with { Exception = incident.Exception };
        return executions;
    }

    private static ActivityExecution Build(string instanceId, List<JournalRecord> lines, HashSet<string> bookmarkedInstances)
    {
        var first = lines[0];
        var last = lines[^1];
        var end = lines.LastOrDefault(l => l.EventName is "Completed" or "Faulted" or "Cancelled");
        var status = end?.EventName switch
        {
            "Completed" => ActivityStatus.Completed,
            "Faulted" => ActivityStatus.Faulted,
            "Cancelled" => ActivityStatus.Canceled,
            _ => ActivityStatus.Running,
        };
        return new ActivityExecution(
            first.ActivityInstanceId!, instanceId, first.ActivityId, first.NodeId, first.ActivityType, first.ActivityTypeVersion, first.ActivityName,
            StartedAt: first.Timestamp,
            CompletedAt: end?.Timestamp,
            Status: status,
            HasBookmarks: bookmarkedInstances.Contains(first.ActivityInstanceId!),
            FaultMessage: lines.LastOrDefault(l => l.EventName == "Faulted")?.Message,
            Payload: (end ?? last).Payload is { } payload ? JsonNode.Parse(payload) : null,
            Outputs: null,
            Exception: null);
    }

    /// <summary>The instance's stored state (bookmarks, outputs, variables).</summary>
    public static WorkflowState ReadState(WorkflowInstanceRecord instance) =>
        JsonSerializer.Deserialize<WorkflowState>(instance.State, ElsaJson.Options)
        ?? throw new JsonException($"Workflow instance '{instance.Id}' has an empty state.");
}
