using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Workflows.Runtime;

/// <summary>Keeps the trigger rows of a definition in line with its published version, and their timers with the rows.</summary>
public sealed class TriggerIndexer(IEnumerable<IExpressionHandler> handlers, IServiceProvider services, IClock clock)
{
    private readonly ActivityInvoker _invoker = new(handlers);

    /// <summary>Trigger timers to add and remove once the transaction that changed the rows has committed.</summary>
    public sealed record Changes(IReadOnlyList<string> Removed, IReadOnlyList<(string Id, TriggerSchedule Schedule)> Added);

    /// <summary>Replaces the definition's trigger rows with those of <paramref name="published"/> (none when null).</summary>
    /// <exception cref="WorkflowDefinitionException">A trigger's inputs cannot be evaluated without an instance.</exception>
    public async Task<Changes> ReplaceAsync(WorkflowDbContext db, string definitionId, WorkflowModel? published, CancellationToken cancellationToken)
    {
        var old = await db.Triggers.Where(t => t.DefinitionId == definitionId).ToListAsync(cancellationToken);
        var kept = new HashSet<string>();
        var added = new List<(string, TriggerSchedule)>();
        var errors = new List<string>();
        foreach (var node in published?.Root.Activities.Where(a => a.CanStartWorkflow && typeof(ITrigger).IsAssignableFrom(a.TypeInfo.ClrType)) ?? [])
        {
            TriggerRegistration registration;
            try
            {
                var prepared = await _invoker.PrepareAsync(node, new StaticScope(published!), services, cancellationToken);
                registration = ((ITrigger)prepared.Activity).GetTrigger(new TriggerIndexingContext(i => i is null ? null : prepared.Inputs.GetValueOrDefault(i), clock.UtcNow));
            }
            catch (Exception e) when (e is ActivityFaultException or FormatException)
            {
                errors.Add($"Trigger '{node.DisplayName}' ({node.Type}): {e.Message}");
                continue;
            }
            var schedule = registration.Schedule is null ? null : JsonSerializer.Serialize(registration.Schedule, ElsaJson.Options);
            var oneOff = OneOffId(definitionId, node.Id, registration.Schedule);
            var payload = registration.Payload.ToJsonString();
            // A row indexed before stable ids has another id but the same activity and instant (payload).
            if (oneOff is not null && old.FirstOrDefault(t => t.Id == oneOff || (t.ActivityId == node.Id && t.Name == registration.Name && t.Payload == payload)) is { } same)
            {
                // The same instant was indexed before: the row keeps its timer, or stays spent once it has fired, so a
                // publish neither fires a past instant again nor re-creates a timer that would.
                kept.Add(same.Id);
                same.DefinitionVersionId = published!.VersionId;
                same.Name = registration.Name;
                same.Hash = BookmarkHash.Compute(registration.Name, registration.Payload);
                same.Payload = payload;
                continue;
            }
            var record = new TriggerRecord
            {
                Id = oneOff ?? Ids.New(),
                DefinitionId = definitionId,
                DefinitionVersionId = published!.VersionId,
                ActivityId = node.Id,
                Name = registration.Name,
                Hash = BookmarkHash.Compute(registration.Name, registration.Payload),
                Payload = payload,
                Schedule = schedule,
            };
            db.Triggers.Add(record);
            if (registration.Schedule is not null) added.Add((record.Id, registration.Schedule));
        }
        if (errors.Count > 0) throw new WorkflowDefinitionException(errors);
        var removed = old.Where(t => !kept.Contains(t.Id)).ToList();
        db.Triggers.RemoveRange(removed);
        return new Changes(removed.Where(t => t.Schedule is not null).Select(t => t.Id).ToList(), added);
    }

    /// <summary>
    /// The id of a one-off (Start At) trigger: derived from definition, activity and instant, so that it is the same on
    /// every publish and the instance it starts (whose id derives from trigger id and instant) is found again.
    /// Null for other triggers, which get a fresh id per publish.
    /// </summary>
    public static string? OneOffId(string definitionId, string activityId, TriggerSchedule? schedule) =>
        schedule is { At: { } at, Interval: null, Cron: null }
            ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.UTF8.GetBytes($"one-off|{definitionId}|{activityId}|{at.UtcTicks}")))[..16].ToLowerInvariant()
            : null;

    public static async Task ApplyScheduleAsync(Changes changes, IWorkflowScheduler scheduler, CancellationToken cancellationToken)
    {
        foreach (var id in changes.Removed) await scheduler.UnscheduleTriggerAsync(id, cancellationToken);
        foreach (var (id, schedule) in changes.Added) await scheduler.ScheduleTriggerAsync(id, schedule, cancellationToken);
    }

    public static TriggerSchedule? ReadSchedule(TriggerRecord record) =>
        record.Schedule is null ? null : JsonSerializer.Deserialize<TriggerSchedule>(record.Schedule, ElsaJson.Options);

    /// <summary>What trigger inputs may see: the definition, no instance.</summary>
    private sealed class StaticScope(WorkflowModel workflow) : IExpressionScope
    {
        public string WorkflowInstanceId => "";
        public string WorkflowDefinitionId => workflow.DefinitionId;
        public string WorkflowDefinitionVersionId => workflow.VersionId;
        public int WorkflowDefinitionVersion => workflow.Version;
        public string? CorrelationId { get => null; set => throw new InvalidOperationException("A trigger cannot set a correlation id."); }
        public string? WorkflowInstanceName { get => null; set => throw new InvalidOperationException("A trigger cannot set an instance name."); }
        public IReadOnlyList<VariableDefinition> Variables => workflow.Variables;
        public JsonNode? GetVariable(string nameOrId) => throw new KeyNotFoundException($"Trigger inputs cannot read variable '{nameOrId}': no instance exists yet.");
        public void SetVariable(string nameOrId, JsonNode? value) => throw new KeyNotFoundException($"Trigger inputs cannot set variable '{nameOrId}'.");
        public IReadOnlyDictionary<string, JsonNode?> WorkflowInput { get; } = new Dictionary<string, JsonNode?>();
        public JsonNode? GetActivityOutput(string activityIdOrName, string? outputName) => null;
        public JsonNode? LastResult => null;
    }
}
