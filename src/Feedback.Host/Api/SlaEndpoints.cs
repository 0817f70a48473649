using Feedback.Activities.Access;
using Feedback.Activities.Cases;
using Feedback.Activities.Sla;
using Feedback.Host.Access;
using Feedback.Workflows.Api;

namespace Feedback.Host.Api;

/// <summary>A case's SLA clocks (read, pause, resume), and the calendars and policies admins keep.</summary>
internal static class SlaEndpoints
{
    /// <summary>A calendar or the policies; a year of holidays is a few kilobytes.</summary>
    private const long MaxBodyBytes = 256 * 1024;

    /// <summary>The body of a pause.</summary>
    private sealed record PauseRequest(string? Reason);

    public static void MapSlaApi(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/api/feedback/{number}/sla").AddEndpointFilter<ApiKeyFilter>();
        // The same department scope as the case itself: whoever may not read the case may not see or move its clocks.
        cases.MapGet("", async (string number, HttpContext http, CaseService feedback, StaffActorResolver access, SlaClockService clocks, CancellationToken ct) =>
        {
            await FeedbackEndpoints.ReadableCaseAsync(number, http, feedback, access, ct);
            return Results.Json(await clocks.ClocksAsync(number, ct), FeedbackEndpoints.Json);
        });
        cases.MapPost("/pause", async (string number, HttpContext http, CaseService feedback, StaffActorResolver access, SlaClockService clocks, CancellationToken ct) =>
        {
            var actor = await ClockRunnerAsync(number, http, feedback, access, ct);
            var body = await JsonBody.ReadAsync<PauseRequest>(http.Request, MaxBodyBytes, m => new CaseValidationException([m]), ct);
            return Results.Json(await clocks.PauseAsync(number, body?.Reason, actor.AuditName, ct), FeedbackEndpoints.Json);
        });
        cases.MapPost("/resume", async (string number, HttpContext http, CaseService feedback, StaffActorResolver access, SlaClockService clocks, CancellationToken ct) =>
        {
            var actor = await ClockRunnerAsync(number, http, feedback, access, ct);
            return Results.Json(await clocks.ResumeAsync(number, actor.AuditName, ct), FeedbackEndpoints.Json);
        });

        var admin = app.MapGroup("/api/admin/sla").AddEndpointFilter<ApiKeyFilter>();
        admin.MapGet("/calendars", async (SlaSettingsService settings, CancellationToken ct) =>
            Results.Json((await settings.GetAsync(ct)).Calendars.All.OrderBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new { c.Id, c.Calendar.Name, TimeZone = c.Calendar.TimeZone.Id, c.IsDefault, c.Departments, StandardDayHours = c.Calendar.StandardDay.TotalHours }),
                FeedbackEndpoints.Json));
        admin.MapGet("/calendars/{id}", async (string id, SlaSettingsService settings, CancellationToken ct) =>
            await settings.CalendarJsonAsync(id, ct) is { } json ? Results.Text(json, "application/json") : throw new KeyNotFoundException($"No calendar '{id}'."));
        admin.MapPut("/calendars/{id}", async (string id, HttpRequest request, SlaClockService clocks, CancellationToken ct) =>
        {
            var json = await ReadDocumentAsync(request, ct);
            await Refuse(() => clocks.SaveCalendarAsync(id, json, ct));
            return Results.NoContent();
        });
        admin.MapGet("/policies", async (SlaSettingsService settings, CancellationToken ct) =>
            Results.Text(await settings.PoliciesJsonAsync(ct) ?? SlaPolicyDocument.Empty.ToJson(), "application/json"));
        admin.MapPut("/policies", async (HttpRequest request, SlaClockService clocks, CancellationToken ct) =>
        {
            var json = await ReadDocumentAsync(request, ct);
            await Refuse(() => clocks.SavePoliciesAsync(json, ct));
            return Results.NoContent();
        });
    }

    /// <summary>The actor, who may pause and resume the case's clocks (reading the case is not enough).</summary>
    /// <exception cref="AccessDeniedException">The actor reads the case but does not run it.</exception>
    private static async Task<Actor> ClockRunnerAsync(string number, HttpContext http, CaseService feedback, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, readable) = await FeedbackEndpoints.ReadableCaseAsync(number, http, feedback, access, ct);
        if (!CaseAccess.MayRunClocks(actor, readable))
            throw new AccessDeniedException($"{actor.AuditName} may not pause or resume the clocks of {number}; its owner, the lead department's head, the complaint desk, process owners and management do.");
        return actor;
    }

    /// <summary>The body as text: calendars and policies are stored as the admin wrote them, comments included.</summary>
    private static async Task<string> ReadDocumentAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) throw new PayloadTooLargeException(MaxBodyBytes);
        if (!request.HasJsonContentType()) throw new CaseValidationException(["Content-Type: send application/json."]);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) throw new PayloadTooLargeException(MaxBodyBytes);
        }
        try { return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.ToArray()); }
        catch (ArgumentException) { throw new CaseValidationException(["body: not UTF-8 text."]); }
    }

    /// <summary>An invalid calendar or policy is the caller's mistake: a 400 with what is wrong, nothing stored.</summary>
    private static async Task Refuse(Func<Task> save)
    {
        try { await save(); }
        catch (FormatException e) { throw new CaseValidationException([e.Message]); }
    }
}
