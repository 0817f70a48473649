using Feedback.Activities.Reports;
using Feedback.Activities.StaffRecords;
using Feedback.Host.Access;
using Feedback.Workflows.Api;

namespace Feedback.Host.Api;

/// <summary>
/// Staff word-of-mouth records under the staff API, behind the API key; the acting staff member comes from
/// <see cref="StaffActorResolver"/> and <see cref="StaffRecordAccess"/> decides (department heads their department's
/// staff, staff their own, auditors read only). Evaluations wait for the employee's confirmation before they count.
/// </summary>
internal static class StaffRecordEndpoints
{
    private const long MaxBodyBytes = 32 * 1024;
    private const string Via = "api";

    public static void MapStaffRecordApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/staff").AddEndpointFilter<ApiKeyFilter>();

        api.MapPost("/{user}/records", async (string user, HttpRequest request, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var body = await ReadAsync<CreateBody>(request, ct);
            var actor = await access.ResolveAsync(request.HttpContext, ct);
            var record = await records.CreateAsync(actor, new NewStaffRecord(user, body.Kind, body.Source, body.Anonymous, body.Text, body.Suggestion, body.CustomerName), Via, ct);
            return Results.Json(View(record, actor), FeedbackEndpoints.Json, statusCode: StatusCodes.Status201Created);
        });

        api.MapGet("/{user}/records", async (string user, HttpContext http, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(http, ct);
            return Results.Json(new { items = (await records.ListAsync(actor, user, ct)).Select(r => View(r, actor)) }, FeedbackEndpoints.Json);
        });

        api.MapGet("/{user}/records/summary", async (string user, HttpRequest request, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var period = ReportPeriod.Parse(request.Query["period"].FirstOrDefault());
            return Results.Json(await records.SummaryAsync(await access.ResolveAsync(request.HttpContext, ct), user, period, ct), FeedbackEndpoints.Json);
        });

        api.MapGet("/records/{id:long}", async (long id, HttpContext http, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(http, ct);
            var (record, audit) = await records.GetAsync(actor, id, ct);
            return Results.Json(new { record = View(record, actor), audit = audit.Select(a => new { a.At, a.Actor, a.Via, a.Action, a.Details }) }, FeedbackEndpoints.Json);
        });

        api.MapPost("/records/{id:long}/confirm", async (long id, HttpRequest request, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(request.HttpContext, ct);
            return Results.Json(View(await records.ConfirmAsync(actor, id, (await ReadAsync<AnswerBody>(request, ct)).Comment, Via, ct), actor), FeedbackEndpoints.Json);
        });

        api.MapPost("/records/{id:long}/dispute", async (long id, HttpRequest request, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(request.HttpContext, ct);
            return Results.Json(View(await records.DisputeAsync(actor, id, (await ReadAsync<AnswerBody>(request, ct)).Comment, Via, ct), actor), FeedbackEndpoints.Json);
        });

        api.MapPost("/records/{id:long}/credit", async (long id, HttpContext http, StaffRecordService records, StaffActorResolver access, CancellationToken ct) =>
        {
            var actor = await access.ResolveAsync(http, ct);
            return Results.Json(View(await records.CreditSuggestionAsync(actor, id, Via, ct), actor), FeedbackEndpoints.Json);
        });
    }

    /// <summary>The record as <paramref name="reader"/> may see it: a customer author's name masked for most (<see cref="StaffRecordAccess.AuthorFor"/>).</summary>
    private static object View(StaffRecord r, Feedback.Activities.Access.Actor reader) => new
    {
        r.Id, r.Employee, r.DepartmentId, Kind = r.Kind.ToString(), Source = r.Source.ToString(), r.Anonymous, Author = StaffRecordAccess.AuthorFor(reader, r), r.Text, r.Suggestion,
        r.SuggestionCreditedAt, Status = r.Status.ToString(), r.EmployeeComment, r.CreatedAt, r.AnsweredAt,
    };

    private static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class, new()
    {
        // Confirm and credit need no body; an empty or absent one is an empty object.
        if ((request.ContentLength ?? 0) == 0 && !request.HasJsonContentType()) return new T();
        return await JsonBody.ReadAsync<T>(request, MaxBodyBytes, message => new StaffRecordValidationException([message]), ct)
            ?? throw new StaffRecordValidationException(["body: a JSON object is required."]);
    }

    /// <summary><c>{kind, source, anonymous, text, suggestion, customerName}</c>.</summary>
    private sealed class CreateBody
    {
        public string? Kind { get; init; }
        public string? Source { get; init; }
        public bool Anonymous { get; init; }
        public string? Text { get; init; }
        public string? Suggestion { get; init; }
        public string? CustomerName { get; init; }
    }

    /// <summary><c>{comment}</c>.</summary>
    private sealed class AnswerBody
    {
        public string? Comment { get; init; }
    }
}
