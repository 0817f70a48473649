using System.Text.Json.Nodes;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Cases;

/// <summary>Registers feedback as cases, keeps their history, and starts the workflow that handles each one.</summary>
public sealed class CaseService(
    IDbContextFactory<FeedbackDbContext> dbFactory,
    WorkflowDefinitionStore definitions,
    WorkflowRuntime runtime,
    FeedbackDomainOptions options,
    IClock clock,
    ILogger<CaseService> logger)
{
    /// <summary>The outcome of a registration: the case, and whether this call created it.</summary>
    public sealed record Registered(FeedbackCase Case, bool Created);

    /// <summary>
    /// Validates and stores a case with its first history line, then starts its workflow. With an idempotency key, a
    /// retried call returns the case the first call created.
    /// </summary>
    /// <exception cref="CaseValidationException">The registration is invalid; nothing was stored.</exception>
    /// <exception cref="WorkflowNotFoundException">The feedback process is not published; nothing was stored.</exception>
    public async Task<Registered> RegisterAsync(CaseRegistration registration, string actor, string via, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var errors = CaseRegistrationValidator.Validate(registration);
        if (errors.Count > 0) throw new CaseValidationException(errors);
        if (idempotencyKey is { Length: > 100 }) throw new CaseValidationException(["Idempotency-Key: at most 100 characters."]);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (idempotencyKey is not null && await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.IdempotencyKey == idempotencyKey, cancellationToken) is { } earlier)
            return new Registered(earlier, Created: false);
        var definitionId = options.WorkflowDefinitionId;
        if (await definitions.FindAsync(definitionId, VersionOptions.Published, cancellationToken) is null)
            throw new WorkflowNotFoundException($"The feedback process '{definitionId}' is not published; publish it before accepting feedback.");

        var now = clock.UtcNow;
        var received = registration.ReceivedAt ?? now;
        var feedback = new FeedbackCase
        {
            Number = "",
            ReceivedAt = received,
            Channel = registration.Channel!.Value,
            Anonymous = registration.Anonymous,
            CustomerName = registration.CustomerName?.Trim(),
            CustomerPhone = registration.CustomerPhone?.Trim(),
            CustomerEmail = registration.CustomerEmail?.Trim(),
            Language = registration.Language ?? "zh-CN",
            Title = registration.Title?.Trim(),
            Content = registration.Content!.Trim(),
            Product = registration.Product,
            Requests = registration.Requests?.Distinct().ToList() ?? [],
            ComplainedAbout = registration.ComplainedAbout?.Trim(),
            WorkflowInstanceId = Ids.New(),
            WorkflowDefinitionId = definitionId,
            IdempotencyKey = idempotencyKey,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Reports.CaseFacts.OnRegistration(feedback, options.Reports.CustomerKeySecret);
        await using (var tx = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                feedback.Number = await CaseNumbers.NextAsync(db, received.Year, cancellationToken);
                db.Cases.Add(feedback);
                await db.SaveChangesAsync(cancellationToken);
                db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = actor, Via = via, Action = "Registered", Details = $"Channel {feedback.Channel}." });
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException) when (idempotencyKey is not null)
            {
                // Another request with the same key won the race; answer with its case. The rollback also returns
                // the case number this attempt took, so numbers stay gap-free.
                await tx.RollbackAsync(cancellationToken);
                await using var fresh = await dbFactory.CreateDbContextAsync(cancellationToken);
                return new Registered(await fresh.Cases.AsNoTracking().FirstAsync(c => c.IdempotencyKey == idempotencyKey, cancellationToken), Created: false);
            }
        }

        try { await StartWorkflowAsync(feedback, cancellationToken); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The case is stored; CaseWorkflowStarter starts its workflow on its next pass.
            logger.LogError(e, "Case {Number} is registered but its workflow did not start; it will be retried", feedback.Number);
        }
        return new Registered(feedback, Created: true);
    }

    /// <summary>Starts the case's workflow; harmless if it already started (the instance id is fixed).</summary>
    public Task StartWorkflowAsync(FeedbackCase feedback, CancellationToken cancellationToken) =>
        runtime.StartAsync(new StartWorkflowRequest
        {
            DefinitionId = feedback.WorkflowDefinitionId,
            InstanceId = feedback.WorkflowInstanceId,
            CorrelationId = feedback.Number,
            Input = new Dictionary<string, JsonNode?>
            {
                ["caseNumber"] = feedback.Number,
                ["channel"] = feedback.Channel.ToString(),
                ["language"] = feedback.Language,
                ["anonymous"] = feedback.Anonymous,
                ["title"] = feedback.Title,
                ["content"] = feedback.Content,
            },
        }, cancellationToken);

    /// <summary>
    /// The case as the current workflow step will commit it: the stored row with the changes that earlier activities
    /// of the same burst staged already applied (a classification just made, an owner just chosen).
    /// </summary>
    public async Task<FeedbackCase?> FindForStepAsync(string number, ActivityExecutionContext context)
    {
        var feedback = await FindAsync(number, context.CancellationToken);
        if (feedback is null) return null;
        foreach (var change in context.WorkflowContext.CommitItems.OfType<CaseChange>().Where(c => c.CaseNumber == number))
            change.Apply(feedback);
        return feedback;
    }

    public async Task<FeedbackCase?> FindAsync(string number, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Number == number, cancellationToken);
    }

    public async Task<IReadOnlyList<CaseHistoryEntry>> HistoryAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.History.AsNoTracking().Where(h => h.CaseId == caseId).OrderBy(h => h.Id).ToListAsync(cancellationToken);
    }
}
