using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Retention;

/// <summary>How long cases keep their personal data.</summary>
public sealed class RetentionOptions
{
    /// <summary>The company keeps records at least three years; fewer is refused at start-up.</summary>
    public const int MinimumYears = 3;

    /// <summary>Years after receipt (and after the last change) before a case is anonymised.</summary>
    public int Years { get; set; } = MinimumYears;

    /// <summary>How often the job looks for cases to anonymise; zero turns the job off.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How long a delivered mail stays in the outbox (for tracing a delivery) before its copy of the message, names and
    /// addresses included, is deleted.
    /// </summary>
    public TimeSpan DeliveredMailKeptFor { get; set; } = TimeSpan.FromDays(30);

    /// <exception cref="InvalidOperationException">The settings break the retention rule.</exception>
    public void Validate()
    {
        if (DeliveredMailKeptFor <= TimeSpan.Zero) throw new InvalidOperationException("Retention:DeliveredMailKeptFor must be positive, e.g. 30.00:00:00.");
        if (Years < MinimumYears) throw new InvalidOperationException($"Retention:Years is {Years}; cases are kept at least {MinimumYears} years.");
        if (BatchSize < 1) throw new InvalidOperationException("Retention:BatchSize must be at least 1.");
    }
}

/// <summary>
/// Anonymises cases past retention: the customer's name and contacts, the text, the texts of their later mails, order
/// number, photos (those of later mails too), the named staff member and task form values are removed; category, department, dates, durations, flags and counters stay, so
/// every report figure is unchanged. The customer key (a keyed hash) stays too, so repeat figures do not change; a
/// contact search (<see cref="CaseSearch"/>) never returns an anonymised case, so the key cannot re-identify it. A
/// legal hold stops it. Each anonymisation is a line in the audit trail.
/// </summary>
public sealed class RetentionService(IDbContextFactory<FeedbackDbContext> dbFactory, RetentionOptions options, IClock clock)
{
    public const string RemovedText = "(removed after the retention period)";

    /// <summary>Anonymises every due case, in batches; returns how many it anonymised. Safe to run on several hosts at once.</summary>
    public async Task<int> AnonymiseDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var cutoff = now.AddYears(-options.Years);
        var total = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = await db.Cases.AsNoTracking()
                .Where(c => c.AnonymisedAt == null && !c.LegalHold && c.ReceivedAt < cutoff && c.UpdatedAt < cutoff)
                .OrderBy(c => c.Id).Select(c => c.Id).Take(options.BatchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0) return total;
            foreach (var id in ids)
                if (await AnonymiseAsync(db, id, now, cutoff, cancellationToken)) total++;
        }
    }

    /// <summary>Places or lifts a legal hold; the reason goes to the audit trail.</summary>
    /// <exception cref="CaseValidationException">No reason given.</exception>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<FeedbackCase> SetLegalHoldAsync(string number, bool hold, string? reason, string actor, string via, CancellationToken cancellationToken)
    {
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) throw new CaseValidationException(["reason: say why the legal hold is placed or lifted; it is kept in the audit trail."]);
        if (reason.Length > 1000) throw new CaseValidationException(["reason: at most 1000 characters."]);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var feedback = await db.Cases.FirstOrDefaultAsync(c => c.Number == number, cancellationToken) ?? throw new KeyNotFoundException($"No case {number}.");
        var now = clock.UtcNow;
        feedback.LegalHold = hold;
        db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = actor, Via = via, Action = hold ? "LegalHoldPlaced" : "LegalHoldLifted", Details = reason });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return feedback;
    }

    private static async Task<bool> AnonymiseAsync(FeedbackDbContext db, long id, DateTimeOffset now, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        // The conditional claim makes a second host (or a hold placed or a note added meanwhile) skip the case.
        var claimed = await db.Cases.Where(c => c.Id == id && c.AnonymisedAt == null && !c.LegalHold && c.UpdatedAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AnonymisedAt, now), cancellationToken);
        if (claimed == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            return false;
        }
        var feedback = await db.Cases.FirstAsync(c => c.Id == id, cancellationToken);
        feedback.CustomerName = null;
        feedback.CustomerPhone = null;
        feedback.CustomerEmail = null;
        feedback.Title = null;
        feedback.Content = RemovedText;
        feedback.CustomerComment = null;
        feedback.CustomerComments = [];
        feedback.ComplainedAbout = null;
        feedback.IdempotencyKey = null;
        if (feedback.Product is { } product)
        {
            // Uploaded photos are rows of their own, fetched by the id at the end of their link.
            var photoIds = product.Photos.Select(Intake.PhotoRules.IdFromLink).OfType<string>().ToList();
            if (photoIds.Count > 0) await db.Photos.Where(p => photoIds.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken);
            feedback.Product = product with { OrderNumber = null, Photos = [] };
        }
        // A later mail's pictures are linked from its text alone; they are found by the ids its key gives them, so the
        // text (never parsed, as the customer wrote most of it) is not needed.
        var mailKeys = await db.ReceivedMail.Where(m => m.CaseNumber == feedback.Number).Select(m => m.Key).ToListAsync(cancellationToken);
        var mailPhotoIds = mailKeys.SelectMany(Intake.Mail.MailIntakeService.PictureIds).ToList();
        if (mailPhotoIds.Count > 0) await db.Photos.Where(p => mailPhotoIds.Contains(p.Id)).ExecuteDeleteAsync(cancellationToken);
        await db.ReceivedMail.Where(m => m.CaseNumber == feedback.Number && m.Text != null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Text, (string?)null), cancellationToken);
        await db.Tasks.Where(t => t.CaseNumber == feedback.Number && t.CompletedValues != null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.CompletedValues, (System.Text.Json.Nodes.JsonObject?)null), cancellationToken);
        await db.Notes.Where(n => n.CaseId == id && n.Text != null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, (string?)null), cancellationToken);
        // Instructions are rendered from the case (its text, the customer's words), so they go too.
        await db.Tasks.Where(t => t.CaseNumber == feedback.Number && t.Instructions != null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Instructions, (string?)null), cancellationToken);
        db.History.Add(new CaseHistoryEntry { CaseId = id, At = now, Actor = "system", Via = "retention", Action = "Anonymised", Details = "Personal data removed after the retention period; figures kept." });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return true;
    }
}
