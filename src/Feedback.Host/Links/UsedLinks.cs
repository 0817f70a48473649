using Feedback.Activities.Links;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Links;

/// <summary>The links already acted on; the table's primary key makes each link single-use across hosts.</summary>
public sealed class UsedLinks(IDbContextFactory<FeedbackDbContext> dbFactory, IClock clock)
{
    public async Task<bool> IsUsedAsync(string linkId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.UsedLinks.AsNoTracking().AnyAsync(u => u.LinkId == linkId, cancellationToken);
    }

    /// <summary>Records the link as used; false when it already was (by this or another host).</summary>
    public async Task<bool> MarkUsedAsync(LinkToken token, string? usedBy, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.UsedLinks.Add(new UsedLink { LinkId = token.Id, Kind = token.Kind, Subject = token.Subject, UsedBy = usedBy, UsedAt = clock.UtcNow });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // The primary key refused a second row: another request (here or on another host) used the link first.
            if (await IsUsedAsync(token.Id, cancellationToken)) return false;
            throw;
        }
    }
}
