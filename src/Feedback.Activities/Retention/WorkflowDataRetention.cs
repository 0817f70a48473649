using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Retention;

/// <summary>
/// The copies of personal data the workflow runtime holds outside the case row: a finished workflow instance keeps the
/// customer's text in its input, variables and journal, and a delivered mail stays in the outbox with its rendered
/// body. Once a case is anonymised its finished instances and its undelivered mail are deleted (the case and its audit
/// trail remain the record); delivered mail is deleted after <see cref="RetentionOptions.DeliveredMailKeptFor"/>.
/// </summary>
/// <remarks>
/// Both passes derive what to delete from what is stored, not from what the last pass did, so a pass cut short by a
/// crash is completed by the next one, on any host. Instances still running are left alone: they own open work.
/// </remarks>
public sealed class WorkflowDataRetention(
    IDbContextFactory<WorkflowDbContext> workflowDb, IDbContextFactory<FeedbackDbContext> feedbackDb, WorkflowRuntime runtime,
    RetentionOptions options, IClock clock)
{
    /// <summary>Deletes the finished workflow instances of anonymised cases; returns how many it deleted.</summary>
    public async Task<int> RemoveInstancesOfAnonymisedCasesAsync(CancellationToken cancellationToken)
    {
        // Not limited to instances finished before the retention period: one may finish after its case's last change
        // (a customer's later mail, say), or after the case was anonymised, and it holds the same personal data. Which
        // instances go is decided by their case; the instances are only paged through, by id.
        const string finished = nameof(WorkflowStatus.Finished);
        var removed = 0;
        var after = "";
        while (true)
        {
            List<(string Id, string Number)> batch;
            await using (var db = await workflowDb.CreateDbContextAsync(cancellationToken))
                batch = (await db.Instances.AsNoTracking()
                    .Where(i => i.Status == finished && i.CorrelationId != null && string.Compare(i.Id, after) > 0)
                    .OrderBy(i => i.Id).Take(options.BatchSize).Select(i => new { i.Id, i.CorrelationId }).ToListAsync(cancellationToken))
                    .Select(i => (i.Id, i.CorrelationId!)).ToList();
            if (batch.Count == 0) return removed;
            after = batch[^1].Id;

            var numbers = batch.Select(b => b.Number).Distinct().ToList();
            HashSet<string> anonymised;
            await using (var db = await feedbackDb.CreateDbContextAsync(cancellationToken))
                anonymised = (await db.Cases.AsNoTracking().Where(c => numbers.Contains(c.Number) && c.AnonymisedAt != null)
                    .Select(c => c.Number).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, _) in batch.Where(b => anonymised.Contains(b.Number)))
            {
                try
                {
                    await runtime.DeleteAsync(id, cancellationToken);
                    removed++;
                }
                catch (WorkflowInstanceNotFoundException)
                {
                    // Another host's pass deleted it first.
                }
            }
        }
    }

    /// <summary>
    /// Deletes the undelivered mail about anonymised cases, to the customer or to staff; returns how many. Such a mail
    /// carries the data the case no longer has (address, name, text), and one a mailbox keeps refusing is retried without
    /// end, so it would otherwise stay in the outbox for good.
    /// </summary>
    public async Task<int> RemoveUndeliveredMailOfAnonymisedCasesAsync(CancellationToken cancellationToken)
    {
        const string mail = Notification.NotifyCustomer.EmailOutboxType;
        var removed = 0;
        var after = "";
        while (true)
        {
            List<(string Id, string Number)> batch;
            await using (var db = await workflowDb.CreateDbContextAsync(cancellationToken))
            {
                var page = await db.Outbox.AsNoTracking()
                    .Where(o => o.DeliveredAt == null && o.Type == mail && string.Compare(o.Id, after) > 0)
                    .OrderBy(o => o.Id).Take(options.BatchSize).Select(o => new { o.Id, o.Payload }).ToListAsync(cancellationToken);
                if (page.Count == 0) return removed;
                after = page[^1].Id;
                // The case is named only inside the payload, which is JSON text on both providers; the queue is short.
                batch = page.Select(o => (o.Id, Number: CaseNumberOf(o.Payload))).Where(o => o.Number is not null).Select(o => (o.Id, o.Number!)).ToList();
            }
            if (batch.Count == 0) continue;

            var numbers = batch.Select(b => b.Number).Distinct().ToList();
            HashSet<string> anonymised;
            await using (var db = await feedbackDb.CreateDbContextAsync(cancellationToken))
                anonymised = (await db.Cases.AsNoTracking().Where(c => numbers.Contains(c.Number) && c.AnonymisedAt != null)
                    .Select(c => c.Number).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var ids = batch.Where(b => anonymised.Contains(b.Number)).Select(b => b.Id).ToList();
            if (ids.Count == 0) continue;
            await using (var db = await workflowDb.CreateDbContextAsync(cancellationToken))
                // Still undelivered: a mail sent meanwhile is left to the purge of delivered mail.
                removed += await db.Outbox.Where(o => ids.Contains(o.Id) && o.DeliveredAt == null).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private static string? CaseNumberOf(string payload)
    {
        try
        {
            return JsonNode.Parse(payload) is JsonObject o && o["caseNumber"] is JsonValue v && v.TryGetValue(out string? number) ? number : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Deletes outbox messages delivered longer ago than the configured time; returns how many.</summary>
    public async Task<int> PurgeDeliveredMailAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.UtcNow - options.DeliveredMailKeptFor;
        await using var db = await workflowDb.CreateDbContextAsync(cancellationToken);
        return await db.Outbox.Where(o => o.DeliveredAt != null && o.DeliveredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
