using System.Text.Json;
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
    Organization.DirectoryService directory,
    IClock clock,
    ILogger<CaseService> logger)
{
    /// <summary>How far a registration's <c>receivedAt</c> may be ahead of the server's clock.</summary>
    public static readonly TimeSpan MaxReceivedAhead = TimeSpan.FromMinutes(5);

    /// <summary>The outcome of a registration: the case, and whether this call created it.</summary>
    public sealed record Registered(FeedbackCase Case, bool Created);

    /// <summary>
    /// Validates a case and stores it, with its first history line, in the same commit as the first step of the
    /// workflow that handles it: either both exist or neither. With an idempotency key, a retried call returns the
    /// case the first call created; the key with a different request is refused.
    /// </summary>
    /// <param name="process">
    /// The process to run, chosen by staff (a product problem that needs engineering); null lets the directory's intake
    /// routes choose, and then the configured default.
    /// </param>
    /// <exception cref="CaseValidationException">The registration is invalid, or the chosen process is not published; nothing was stored.</exception>
    /// <exception cref="IdempotencyKeyReusedException">The key belongs to a case registered from a different request; nothing was stored.</exception>
    /// <exception cref="WorkflowNotFoundException">The routed process is not published; nothing was stored.</exception>
    public async Task<Registered> RegisterAsync(CaseRegistration registration, string actor, string via, string? idempotencyKey, CancellationToken cancellationToken,
        string? process = null)
    {
        var errors = CaseRegistrationValidator.Validate(registration);
        if (errors.Count > 0) throw new CaseValidationException(errors);
        if (idempotencyKey is { Length: > 100 }) throw new CaseValidationException(["Idempotency-Key: at most 100 characters."]);
        // The person complained about is kept out of every step of the case, so it must be someone the directory knows.
        if (!string.IsNullOrWhiteSpace(registration.ComplainedAbout))
            registration = registration with
            {
                ComplainedAbout = await directory.UserNameAsync(registration.ComplainedAbout, cancellationToken)
                    ?? throw new CaseValidationException([$"complainedAbout: '{registration.ComplainedAbout.Trim()}' is not a user name in the staff directory; give the user name of the staff member the feedback is about, or leave it out."]),
            };

        process = string.IsNullOrWhiteSpace(process) ? null : process.Trim();
        var definitionId = process ?? await directory.ProcessForAsync(registration, cancellationToken) ?? options.WorkflowDefinitionId;
        string number;
        var now = clock.UtcNow;
        var received = registration.ReceivedAt ?? now;
        // A date ahead of the clock (a typo, a wrong time zone) would start every SLA clock in the future and keep the
        // case out of this month's figures; a few minutes cover a sender's clock running fast.
        if (received > now + MaxReceivedAhead)
            throw new CaseValidationException([$"receivedAt: {received:O} is in the future; give when the feedback arrived (at most {MaxReceivedAhead.TotalMinutes:0} minutes ahead of this server's clock)."]);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (idempotencyKey is not null && await FindByKeyAsync(db, idempotencyKey, cancellationToken) is { } earlier)
                return await RepeatedAsync(db, earlier, registration, actor, via, cancellationToken);
            if (await definitions.FindModelAsync(definitionId, VersionOptions.Published, cancellationToken) is null)
                throw process is not null
                    ? new CaseValidationException([$"process: '{process}' is not a published process."])
                    : new WorkflowNotFoundException($"The feedback process '{definitionId}' is not published; publish it before accepting feedback.");
            number = await CaseNumbers.NextAsync(db, received.Year, cancellationToken);
        }

        var feedback = new FeedbackCase
        {
            Number = number,
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
        try
        {
            await runtime.StartAsync(StartRequest(feedback, [new CaseRegistered(feedback, actor, via)]), cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // Another request with the same key committed first; nothing of this attempt was stored.
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await FindByKeyAsync(db, idempotencyKey, cancellationToken) is { } winner) return await RepeatedAsync(db, winner, registration, actor, via, cancellationToken);
            throw;
        }
        logger.LogDebug("Registered case {Number} via {Via}", feedback.Number, via);
        return new Registered(feedback, Created: true);
    }

    /// <summary>
    /// The case an earlier call registered under the same key, when this call repeats that call's request; a key reused
    /// for other feedback would otherwise answer a second customer with the first one's case and drop their feedback.
    /// </summary>
    /// <exception cref="IdempotencyKeyReusedException">The request differs, or came from another sender or channel.</exception>
    private static async Task<Registered> RepeatedAsync(FeedbackDbContext db, FeedbackCase earlier, CaseRegistration registration, string actor, string via, CancellationToken cancellationToken)
    {
        // Keys of the API, the form, staff entry and imports share one column: a key is only ever the same request's
        // when it arrived the same way from the same sender.
        var first = await db.History.AsNoTracking().Where(h => h.CaseId == earlier.Id && h.Action == "Registered").OrderBy(h => h.Id)
            .Select(h => new { h.Actor, h.Via }).FirstOrDefaultAsync(cancellationToken);
        if (first is null || first.Actor != actor || !SameRoute(first.Via, via) || !SameRequest(earlier, registration)) throw new IdempotencyKeyReusedException();
        return new Registered(earlier, Created: false);
    }

    /// <summary>
    /// Whether a registration came the same way. Review imports once named the reviewer as well ("review import (JD,
    /// nick)"), now only the platform ("review import (JD)"): a review imported then is still the same import's.
    /// </summary>
    private static bool SameRoute(string earlier, string now) =>
        earlier == now || (now.EndsWith(')') && earlier.StartsWith(now[..^1] + ", ", StringComparison.Ordinal));

    /// <summary>Whether the stored case is what <paramref name="r"/> would register.</summary>
    private static bool SameRequest(FeedbackCase stored, CaseRegistration r)
    {
        // Photos are compared by number: the form and mail intake keep every upload under a fresh address, so a retried
        // submit never repeats the first one's addresses. ComplainedAbout is left out: staff may name the person after
        // registration, and an honest retry must still find its case.
        static bool SameProduct(ProductDetails? a, ProductDetails? b) => a is null || b is null
            ? a is null && b is null
            : a.Name == b.Name && a.Model == b.Model && a.BatchOrSerial == b.BatchOrSerial && a.OrderNumber == b.OrderNumber
              && a.DeliveryDate == b.DeliveryDate && a.QuantityAffected == b.QuantityAffected && a.Photos.Count == b.Photos.Count;
        return stored.Channel == r.Channel && stored.Anonymous == r.Anonymous
            && stored.CustomerName == r.CustomerName?.Trim() && stored.CustomerPhone == r.CustomerPhone?.Trim() && stored.CustomerEmail == r.CustomerEmail?.Trim()
            && stored.Language == (r.Language ?? "zh-CN") && stored.Title == r.Title?.Trim() && stored.Content == r.Content?.Trim()
            && SameProduct(stored.Product, r.Product) && (r.Requests ?? []).ToHashSet().SetEquals(stored.Requests)
            // The database keeps microseconds; a client's timestamp may carry finer ticks.
            && (r.ReceivedAt is not { } at || (at - stored.ReceivedAt).Duration() < TimeSpan.FromMilliseconds(1));
    }

    private static Task<FeedbackCase?> FindByKeyAsync(FeedbackDbContext db, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.IdempotencyKey == idempotencyKey, cancellationToken);

    private static StartWorkflowRequest StartRequest(FeedbackCase feedback, IReadOnlyList<object>? commitItems) => new()
    {
        DefinitionId = feedback.WorkflowDefinitionId,
        InstanceId = feedback.WorkflowInstanceId,
        CorrelationId = feedback.Number,
        CommitItems = commitItems,
        Input = new Dictionary<string, JsonNode?>
        {
            ["caseNumber"] = feedback.Number,
            ["channel"] = feedback.Channel.ToString(),
            ["language"] = feedback.Language,
            ["anonymous"] = feedback.Anonymous,
            ["title"] = feedback.Title,
            ["content"] = feedback.Content,
        },
    };

    /// <summary>
    /// The case as the current workflow step will commit it: the stored row with the changes that earlier activities
    /// of the same burst staged already applied (a classification just made, an owner just chosen).
    /// </summary>
    public async Task<FeedbackCase?> FindForStepAsync(string number, ActivityExecutionContext context)
    {
        // One read per case and burst: the activities of a burst see the row as it was when the burst first read it
        // plus the burst's own staged changes, which is what the burst will commit.
        var key = "feedback-case:" + number;
        FeedbackCase stored;
        if (context.WorkflowContext.BurstValues.TryGetValue(key, out var cached)) stored = (FeedbackCase)cached;
        else if (context.WorkflowContext.CommitItems.OfType<CaseRegistered>().FirstOrDefault(r => r.Case.Number == number) is { } registered)
            stored = registered.Case; // registered in this very burst's commit, not stored yet
        else
        {
            if (await FindAsync(number, context.CancellationToken) is not { } row) return null;
            context.WorkflowContext.BurstValues[key] = stored = row;
        }
        var feedback = JsonSerializer.Deserialize<FeedbackCase>(JsonSerializer.SerializeToUtf8Bytes(stored))!;
        foreach (var change in context.WorkflowContext.CommitItems.OfType<CaseChange>().Where(c => c.CaseNumber == number))
            change.Apply(feedback);
        return feedback;
    }

    public async Task<FeedbackCase?> FindAsync(string number, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await CaseByNumber.For(db)(db, number, cancellationToken);
    }

    // Compiled once: workflow steps read their case through here; a compiled query skips the per-call LINQ translation.
    private static readonly PerModelQuery<Func<FeedbackDbContext, string, CancellationToken, Task<FeedbackCase?>>> CaseByNumber = new(() =>
        EF.CompileAsyncQuery((FeedbackDbContext db, string number, CancellationToken _) => db.Cases.AsNoTracking().FirstOrDefault(c => c.Number == number)));

    public async Task<IReadOnlyList<CaseHistoryEntry>> HistoryAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lines = await db.History.AsNoTracking().Where(h => h.CaseId == caseId).OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return await Intake.Mail.CustomerMessages.FillAsync(db, lines, cancellationToken);
    }
}
