using System.Text.Json;
using System.Text.Json.Serialization;
using Feedback.Activities.Access;
using Feedback.Activities.Audit;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Retention;
using Feedback.Host.Access;
using Feedback.Activities.Intake;
using Feedback.Workflows.Api;

namespace Feedback.Host.Api;

/// <summary>The intake API: customers and channels submit feedback; staff look cases up and enter phone and counter feedback.</summary>
internal static class FeedbackEndpoints
{
    /// <summary>Feedback text is short; anything near this size is not feedback.</summary>
    public const long MaxBodyBytes = 256 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static void MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/feedback");

        api.MapPost("", async (HttpRequest request, CaseService cases, DirectoryService directory, CancellationToken ct) =>
        {
            var registration = await PublicStaffNamedAsync(await ReadAsync<CaseRegistration>(request, ct), directory, ct);
            if (registration.Channel is FeedbackChannel.Phone or FeedbackChannel.Counter or FeedbackChannel.SuggestionBox)
                throw new CaseValidationException(["channel: phone, counter and suggestion-box feedback is entered by staff through /api/feedback/staff-entry."]);
            // A public caller choosing when their feedback arrived could place it in a month already reported, or start
            // its deadlines breached; only staff entry and imports know of an earlier arrival.
            if (registration.ReceivedAt is not null)
                throw new CaseValidationException(["receivedAt: set by the server for public submissions; staff entry and review imports may give an earlier arrival."]);
            return await RegisterAsync(request, cases, registration, "customer", "api", ct);
        }).RequireRateLimiting(PublicPostLimits.Intake);

        var staff = app.MapGroup("/api/feedback").AddEndpointFilter<ApiKeyFilter>();

        staff.MapCaseSearch();

        staff.MapPost("/staff-entry", async (HttpRequest request, CaseService cases, CancellationToken ct) =>
        {
            var entry = await ReadAsync<StaffEntry>(request, ct);
            if (string.IsNullOrWhiteSpace(entry.EnteredBy)) throw new CaseValidationException(["enteredBy: the staff member entering the feedback is required."]);
            if (entry.Feedback is null) throw new CaseValidationException(["feedback: required."]);
            return await RegisterAsync(request, cases, entry.Feedback, entry.EnteredBy.Trim(), "staff entry", ct, entry.Process);
        });

        staff.MapPost("/import/reviews", async (HttpRequest request, ReviewImporter importer, CancellationToken ct) =>
        {
            if (!request.HasFormContentType || request.Form.Files.Count != 1)
                throw new CaseValidationException(["file: send one CSV file as multipart/form-data."]);
            await using var stream = request.Form.Files[0].OpenReadStream();
            return Results.Json(await importer.ImportAsync(stream, ct), Json);
        });

        // ?reveal=contacts shows the customer's name and contacts to those allowed to see them, and leaves a line in the audit trail.
        staff.MapGet("/{number}", async (string number, string? reveal, HttpContext http, CaseService cases, AuditTrail audit, CaseNotes notes, StaffActorResolver access, Feedback.Activities.Sla.SlaClockService clocks, CancellationToken ct) =>
        {
            var (actor, feedback) = await ReadableCaseAsync(number, http, cases, access, ct);
            var revealed = false;
            if (reveal is not null)
            {
                if (reveal != "contacts") throw new CaseValidationException([$"reveal: '{reveal}' is not something to reveal; use reveal=contacts."]);
                if (!CaseAccess.MayRevealContacts(actor, feedback))
                    throw new AccessDeniedException($"{actor.AuditName} may not see the contacts of case {number}; they stay masked.");
                await audit.RecordAsync(feedback.Id, actor.AuditName, "api", "ContactsRevealed", "The customer's name and contacts were shown.", ct);
                revealed = true;
            }
            return Results.Json(CaseView.From(feedback, await audit.ListAsync(feedback.Id, ct), revealed) with
            {
                Clocks = await clocks.ClocksAsync(number, ct),
                Notes = (await notes.ListAsync(feedback.Id, ct)).Select(CaseView.NoteLine.From).ToList(),
            }, Json);
        });

        staff.MapGet("/{number}/audit", async (string number, HttpContext http, CaseService cases, AuditTrail audit, StaffActorResolver access, CancellationToken ct) =>
        {
            var (_, feedback) = await ReadableCaseAsync(number, http, cases, access, ct);
            var lines = await audit.ListAsync(feedback.Id, ct);
            return Results.Json(new { number, entries = lines.Select(h => new CaseView.HistoryLine(h.At, h.Actor, h.Via, h.Action, h.Details)) }, Json);
        });

        // Retention skips a case under legal hold; process owners and management place and lift holds.
        staff.MapPost("/{number}/legal-hold", async (string number, HttpContext http, CaseService cases, RetentionService retention, StaffActorResolver access, CancellationToken ct) =>
        {
            var (actor, _) = await ReadableCaseAsync(number, http, cases, access, ct);
            if (!CaseAccess.MayHold(actor)) throw new AccessDeniedException($"{actor.AuditName} may not place or lift legal holds; process owners and management do.");
            var body = await ReadAsync<LegalHoldBody>(http.Request, ct);
            if (body.Hold is not { } hold) throw new CaseValidationException(["hold: true to place a legal hold, false to lift it."]);
            var feedback = await retention.SetLegalHoldAsync(number, hold, body.Reason, actor.AuditName, "api", ct);
            return Results.Json(new { number, legalHold = feedback.LegalHold }, Json);
        });

        staff.MapPost("/{number}/malicious", FlagMaliciousAsync);
        staff.MapPost("/{number}/duplicate", MarkDuplicateAsync);
        staff.MapPost("/{number}/praise", MarkPraiseAsync);
        staff.MapPost("/{number}/notes", AddNoteAsync);
        staff.MapPost("/{number}/complained-about", NameComplainedAboutAsync);
        staff.MapPost("/{number}/owner", ChangeOwnerAsync);
    }

    /// <summary>Gives the case to another responsible member; its open tasks for the old owner move with it.</summary>
    private static async Task<IResult> ChangeOwnerAsync(string number, HttpContext http, CaseService cases, CaseOwnerChange owners, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, feedback) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayChangeOwner(actor, feedback))
            throw new AccessDeniedException($"{actor.AuditName} may not change who is responsible for {number}; the complaint desk, process owners, management and the lead department's head do, as themselves (X-Staff-User).");
        var body = await ReadAsync<OwnerBody>(http.Request, ct);
        var outcome = await owners.ChangeAsync(number, body.To, body.Reason, actor.AuditName, "api", ct);
        return Results.Json(new { number, owner = outcome.Case.Owner, changed = outcome.Changed, movedTasks = outcome.MovedTaskIds }, Json);
    }

    /// <summary>Names the staff member the feedback is about, after registration; from then on they are kept out of it.</summary>
    private static async Task<IResult> NameComplainedAboutAsync(string number, HttpContext http, CaseService cases, ComplainedAboutNaming naming, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, _) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayFlag(actor))
            throw new AccessDeniedException($"{actor.AuditName} may not name whom feedback is about; process owners, management and the complaint desk do.");
        var body = await ReadAsync<ComplainedAboutBody>(http.Request, ct);
        var outcome = await naming.NameAsync(number, body.User, body.Reason, actor.AuditName, "api", ct);
        return Results.Json(new { number, complainedAbout = outcome.Case.ComplainedAbout, changed = outcome.Changed }, Json);
    }

    /// <summary>
    /// Flags feedback as malicious or false, or clears the flag, with a reason for the history; the case's workflow
    /// receives the event <see cref="MaliciousFlags.EventName"/>.
    /// </summary>
    private static async Task<IResult> FlagMaliciousAsync(string number, HttpContext http, CaseService cases, MaliciousFlags flags, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, _) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayFlag(actor))
            throw new AccessDeniedException($"{actor.AuditName} may not judge feedback malicious or false; process owners, management and the complaint desk do.");
        var body = await ReadAsync<MaliciousBody>(http.Request, ct);
        if (body.Malicious is not { } malicious) throw new CaseValidationException(["malicious: true to flag the feedback as malicious or false, false to clear the flag."]);
        var outcome = await flags.SetAsync(number, malicious, body.Reason, actor.AuditName, "api", ct);
        return Results.Json(new { number, malicious = outcome.Case.MaliciousReason is not null, maliciousReason = outcome.Case.MaliciousReason, changed = outcome.Changed }, Json);
    }

    /// <summary>
    /// Marks the case a duplicate of another (<c>of</c>), or clears the mark (<c>of</c> null), with a reason for the
    /// history of both; the duplicate's workflow receives the event <see cref="MaliciousFlags.EventName"/>.
    /// </summary>
    private static async Task<IResult> MarkDuplicateAsync(string number, HttpContext http, CaseService cases, DuplicateMarks marks, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, _) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayFlag(actor))
            throw new AccessDeniedException($"{actor.AuditName} may not mark duplicates; process owners, management and the complaint desk do.");
        var body = await ReadAsync<DuplicateBody>(http.Request, ct);
        if (body.Of is { } of && (await cases.FindAsync(of.Trim(), ct)) is { } original) CaseAccess.EnsureRead(actor, original);
        var outcome = await marks.SetAsync(number, body.Of, body.Reason, actor.AuditName, "api", ct);
        return Results.Json(new { number, duplicateOf = outcome.Case.DuplicateOf, changed = outcome.Changed }, Json);
    }

    /// <summary>
    /// Records the feedback as praise, or clears the mark, with a reason for the history; the case's workflow receives
    /// the event <see cref="MaliciousFlags.EventName"/>.
    /// </summary>
    private static async Task<IResult> MarkPraiseAsync(string number, HttpContext http, CaseService cases, PraiseMarks marks, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, _) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayFlag(actor))
            throw new AccessDeniedException($"{actor.AuditName} may not record feedback as praise; process owners, management and the complaint desk do.");
        var body = await ReadAsync<PraiseBody>(http.Request, ct);
        if (body.Praise is not { } praise) throw new CaseValidationException(["praise: true to record the feedback as praise, false to clear the mark."]);
        var outcome = await marks.SetAsync(number, praise, body.Reason, actor.AuditName, "api", ct);
        return Results.Json(new { number, praise = outcome.Case.Praise, status = outcome.Case.Status, changed = outcome.Changed }, Json);
    }

    /// <summary>Adds an internal note to the case by the acting staff member; 201 with the note.</summary>
    private static async Task<IResult> AddNoteAsync(string number, HttpContext http, CaseService cases, CaseNotes notes, StaffActorResolver access, CancellationToken ct)
    {
        var (actor, feedback) = await ReadableCaseAsync(number, http, cases, access, ct);
        if (!CaseAccess.MayNote(actor, feedback))
            throw new AccessDeniedException($"{actor.AuditName} may not write notes on {number}; the staff on the case, the complaint desk, process owners and management do, as themselves (X-Staff-User).");
        var body = await ReadAsync<NoteBody>(http.Request, ct);
        var note = await notes.AddAsync(number, body.Text, actor.UserName!, "api", ct);
        return Results.Json(CaseView.NoteLine.From(note), Json, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The case, if the acting staff member may read it.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="AccessDeniedException">The actor may not read it.</exception>
    internal static async Task<(Actor Actor, FeedbackCase Case)> ReadableCaseAsync(string number, HttpContext http, CaseService cases, StaffActorResolver access, CancellationToken ct)
    {
        var feedback = await cases.FindAsync(number, ct) ?? throw new KeyNotFoundException($"No case {number}.");
        var actor = await access.ResolveAsync(http, ct);
        CaseAccess.EnsureRead(actor, feedback);
        return (actor, feedback);
    }

    /// <summary>
    /// The staff member a public caller names, taken as the web form takes it: a user or display name the directory
    /// knows keeps that person out of the case; any other name goes into the text for the complaint desk. Refusing an
    /// unknown name would tell anyone on the internet which names are staff.
    /// </summary>
    private static async Task<CaseRegistration> PublicStaffNamedAsync(CaseRegistration registration, DirectoryService directory, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(registration.ComplainedAbout)) return registration with { ComplainedAbout = null };
        var named = registration.ComplainedAbout.Trim();
        if (named.Length > Pages.Intake.FeedbackFormPage.MaxStaffNameLength)
            throw new CaseValidationException([$"complainedAbout: at most {Pages.Intake.FeedbackFormPage.MaxStaffNameLength} characters."]);
        if (await directory.MatchNamedAsync(named, ct) is { } user) return registration with { ComplainedAbout = user };
        var note = Pages.Shared.PageTexts.Format("intake.staff.note", registration.Language ?? "zh-CN", named);
        return registration with { ComplainedAbout = null, Content = registration.Content is null ? null : $"{registration.Content}\n\n{note}" };
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, CaseService cases, CaseRegistration registration, string actor, string via, CancellationToken ct,
        string? process = null)
    {
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        var result = await cases.RegisterAsync(registration, actor, via, string.IsNullOrWhiteSpace(key) ? null : key.Trim(), ct, process);
        var body = new { number = result.Case.Number, status = result.Case.Status, receivedAt = result.Case.ReceivedAt, process = result.Case.WorkflowDefinitionId };
        return result.Created
            ? Results.Json(body, Json, statusCode: StatusCodes.Status201Created)
            : Results.Json(body, Json);
    }

    /// <summary>Reads a JSON body with a size cap; type and shape errors become a 400 naming the path.</summary>
    private static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class =>
        await JsonBody.ReadAsync<T>(request, MaxBodyBytes, message => new CaseValidationException([message]), ct)
        ?? throw new CaseValidationException(["body: a JSON object is required."]);

    /// <summary><c>{malicious, reason}</c>.</summary>
    private sealed record MaliciousBody(bool? Malicious, string? Reason);

    /// <summary><c>{text}</c>.</summary>
    private sealed record NoteBody(string? Text);

    /// <summary><c>{praise, reason}</c>.</summary>
    private sealed record PraiseBody(bool? Praise, string? Reason);

    /// <summary><c>{of, reason}</c>; <c>of</c> null clears the mark.</summary>
    private sealed record DuplicateBody(string? Of, string? Reason);

    /// <summary><c>{user, reason}</c>.</summary>
    private sealed record ComplainedAboutBody(string? User, string? Reason);

    /// <summary><c>{to, reason}</c>.</summary>
    private sealed record OwnerBody(string? To, string? Reason);

    /// <summary><c>{hold, reason}</c>.</summary>
    private sealed record LegalHoldBody(bool? Hold, string? Reason);

    /// <summary>Staff entry of phone, counter and suggestion-box feedback.</summary>
    /// <param name="Process">The process to run instead of the intake routes' choice, e.g. <c>product-problem</c>.</param>
    private sealed record StaffEntry(string? EnteredBy, CaseRegistration? Feedback, string? Process = null);
}

/// <summary>The request body exceeded what intake accepts.</summary>
internal sealed class PayloadTooLargeException(long limit) : Exception($"The request body is larger than {limit / 1024} KiB.");
