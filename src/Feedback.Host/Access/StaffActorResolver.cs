using Feedback.Activities.Access;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Access;

/// <summary>
/// The one place that decides who is acting on a request behind the API key. Today the calling front end names the
/// staff member in the <c>X-Staff-User</c> header; without it the call is an integration (see
/// <see cref="CaseAccess"/> for what that may do), unless the browser carries a staff sign-in (the <c>/staff</c>
/// pages, see <see cref="Staff.StaffSession"/>), which makes it that member, or the admin shell's sign-in, which makes
/// it that administrator (the report pages).
/// </summary>
internal sealed class StaffActorResolver(IDbContextFactory<FeedbackDbContext> dbFactory, Studio.StudioSession studio)
{
    public const string StaffUserHeader = "X-Staff-User";
    private static readonly object ItemKey = new();

    /// <summary>The actor of this request, looked up in the directory once per request.</summary>
    public async Task<Actor> ResolveAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Items.TryGetValue(ItemKey, out var known) && known is Actor cached) return cached;
        var (user, administrator) = await NameAsync(http);
        Actor actor;
        if (user is null) actor = Actor.Integration;
        else if (administrator) actor = new Actor(user, null, Administrator: true);
        else
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // A user the directory does not know still acts under their name (a task may be assigned to them), with no role.
            actor = new Actor(user, await DirectoryService.MemberAsync(db, user, cancellationToken));
        }
        http.Items[ItemKey] = actor;
        return actor;
    }

    /// <summary>
    /// The named staff member; task actions need one. Only the name: the task service reads the member's directory
    /// entry itself, as part of its own checks, so reading it here too would cost every task request a second query.
    /// </summary>
    /// <exception cref="Feedback.Activities.Tasks.TaskValidationException">No staff member is named.</exception>
    public async Task<string> RequireUserAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var user = http.Items.TryGetValue(ItemKey, out var known) && known is Actor cached ? cached.UserName : (await NameAsync(http)).User;
        return user ?? throw new Feedback.Activities.Tasks.TaskValidationException([$"{StaffUserHeader}: the acting staff member's user name is required."]);
    }

    /// <summary>Who the request names: the header, else a staff sign-in, else an administrator's sign-in; null for an integration.</summary>
    private async Task<(string? User, bool Administrator)> NameAsync(HttpContext http)
    {
        var header = http.Request.Headers[StaffUserHeader].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(header)) return (header.Trim(), false);
        if (await Staff.StaffSession.UserAsync(http) is { } signedIn) return (signedIn, false);
        return studio.Current(http) is { } admin ? (admin.UserName, true) : (null, false);
    }
}
