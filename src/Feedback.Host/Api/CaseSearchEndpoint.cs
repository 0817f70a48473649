using System.Globalization;
using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Host.Access;

namespace Feedback.Host.Api;

/// <summary>
/// <c>GET /api/feedback</c>: finds cases by the customer's contact, status, category, lead department and time of
/// receipt, limited to what the acting staff member may read (<see cref="CaseAccess.MayRead"/>); contacts masked.
/// </summary>
internal static class CaseSearchEndpoint
{
    /// <summary>One case in a search result.</summary>
    internal sealed record CaseListItem(
        string Number, DateTimeOffset ReceivedAt, FeedbackChannel Channel, CaseStatus Status, FeedbackCategory? Category, Severity? Severity,
        bool FoodSafety, string? LeadDepartment, string? Owner, string? CustomerName, string? Title, DateTimeOffset? DueAt)
    {
        public static CaseListItem From(FeedbackCase c) => new(
            c.Number, c.ReceivedAt, c.Channel, c.Status, c.Category, c.Severity, c.FoodSafety, c.LeadDepartment, c.Owner,
            PersonalData.MaskName(c.CustomerName), c.Title, c.DueAt);
    }

    public static void MapCaseSearch(this RouteGroupBuilder staff) =>
        staff.MapGet("", async (HttpContext http, CaseSearch search, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(http, ct);
            var page = await search.FindAsync(Query(http.Request.Query, actor), ct);
            return Results.Json(new { items = page.Items.Select(CaseListItem.From), totalCount = page.TotalCount, page = page.PageNumber, pageSize = page.PageSize },
                FeedbackEndpoints.Json);
        });

    /// <summary>The query from the request's parameters, limited to what <paramref name="actor"/> may read.</summary>
    /// <exception cref="CaseValidationException">A parameter that does not parse.</exception>
    internal static CaseQuery Query(IQueryCollection q, Actor actor)
    {
        var errors = new List<string>();
        var scoped = !CaseAccess.IsOrganisationWide(actor);
        var query = new CaseQuery
        {
            Contact = Text(q["contact"]),
            Status = Parse<CaseStatus>(q["status"], "status", errors),
            OpenOnly = Flag(q["open"], "open", errors),
            Overdue = Flag(q["overdue"], "overdue", errors),
            Category = Parse<FeedbackCategory>(q["category"], "category", errors),
            Department = Text(q["department"]),
            From = Instant(q["from"], "from", errors),
            To = Instant(q["to"], "to", errors),
            Page = Number(q["page"], "page", errors) ?? 0,
            PageSize = Number(q["pageSize"], "pageSize", errors) ?? CaseQuery.DefaultPageSize,
            // A member outside the directory sees only the cases they own.
            VisibleToDepartment = scoped ? actor.Member is { Active: true } m ? m.DepartmentId : "" : null,
            VisibleToUser = actor.UserName,
        };
        if (errors.Count > 0) throw new CaseValidationException(errors);
        return query;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool Flag(string? value, string name, List<string> errors)
    {
        if (Text(value) is not { } text || text == "false") return false;
        if (text == "true") return true;
        errors.Add($"{name}: true or false.");
        return false;
    }

    private static T? Parse<T>(string? value, string name, List<string> errors) where T : struct, Enum
    {
        if (Text(value) is not { } text) return null;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
        errors.Add($"{name}: '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
        return null;
    }

    /// <summary>ISO 8601; a date alone is midnight UTC.</summary>
    private static DateTimeOffset? Instant(string? value, string name, List<string> errors)
    {
        if (Text(value) is not { } text) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        errors.Add($"{name}: '{text}' is not a date (2026-11-01) or an instant (2026-11-01T08:00:00+08:00).");
        return null;
    }

    private static int? Number(string? value, string name, List<string> errors)
    {
        if (Text(value) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        errors.Add($"{name}: '{text}' is not a whole number.");
        return null;
    }
}
