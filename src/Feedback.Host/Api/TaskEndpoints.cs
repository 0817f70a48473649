using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Access;
using Feedback.Activities.Tasks;
using Feedback.Host.Access;
using Feedback.Workflows.Api;

namespace Feedback.Host.Api;

/// <summary>
/// The staff task API: inboxes, claim, reassign and complete. Behind the API key; the acting staff member comes from
/// <see cref="Access.StaffActorResolver"/>. Lists and look-ups are limited to what the actor may read.
/// </summary>
internal static class TaskEndpoints
{
    /// <summary>A form submission is small; anything near this size is not one.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static void MapTaskApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/tasks").AddEndpointFilter<ApiKeyFilter>();

        api.MapGet("", async (HttpRequest request, TaskService tasks, StaffActorResolver access, CancellationToken ct) =>
        {
            var query = request.Query;
            var actor = await access.ResolveAsync(request.HttpContext, ct);
            var scoped = !CaseAccess.IsOrganisationWide(actor);
            var filter = new TaskFilter
            {
                Assignee = Text(query["assignee"]),
                Department = Text(query["department"]),
                Role = Text(query["role"]),
                CaseNumber = Text(query["caseNumber"]),
                WorkflowInstanceId = Text(query["workflowInstanceId"]),
                Statuses = TaskFilter.ParseStatuses(query["status"]),
                Page = Number(query["page"], "page") ?? 0,
                PageSize = Number(query["pageSize"], "pageSize") ?? TaskFilter.DefaultPageSize,
                VisibleToDepartment = scoped ? actor.Member is { Active: true } m ? m.DepartmentId : null : null,
                VisibleToUser = scoped ? actor.UserName : null,
                NotAbout = actor.UserName,
            };
            var page = await tasks.ListAsync(filter, ct);
            return Results.Json(new { items = page.Items.Select(TaskView.From), totalCount = page.TotalCount, page = page.Page, pageSize = page.PageSize }, FeedbackEndpoints.Json);
        });

        api.MapGet("/{id}", async (string id, HttpContext http, TaskService tasks, Feedback.Activities.Cases.CaseService cases, StaffActorResolver access, CancellationToken ct) =>
        {
            var task = await tasks.GetAsync(id, ct);
            var actor = await access.ResolveAsync(http, ct);
            if (!CaseAccess.MayReadTask(actor, task)) throw new AccessDeniedException($"{actor.AuditName} may not read task {id}: it belongs to another department.");
            if (task.CaseNumber is not null && actor.UserName is not null && await cases.FindAsync(task.CaseNumber, ct) is { } feedback && CaseAccess.IsAbout(actor, feedback))
                throw new AccessDeniedException($"{actor.AuditName} may not read task {id}: its case is about them.");
            return Results.Json(TaskView.From(task), FeedbackEndpoints.Json);
        });

        api.MapPost("/{id}/claim", async (string id, HttpRequest request, TaskService tasks, StaffActorResolver access, CancellationToken ct) =>
            Results.Json(TaskView.From(await tasks.ClaimAsync(id, await access.RequireUserAsync(request.HttpContext, ct), ct)), FeedbackEndpoints.Json));

        api.MapPost("/{id}/reassign", async (string id, HttpRequest request, TaskService tasks, StaffActorResolver access, CancellationToken ct) =>
        {
            var user = await access.RequireUserAsync(request.HttpContext, ct);
            var body = await ReadAsync<ReassignBody>(request, ct);
            return Results.Json(TaskView.From(await tasks.ReassignAsync(id, user, body.To, body.Reason, ct)), FeedbackEndpoints.Json);
        });

        api.MapPost("/{id}/complete", async (string id, HttpRequest request, TaskService tasks, StaffActorResolver access, CancellationToken ct) =>
        {
            var user = await access.RequireUserAsync(request.HttpContext, ct);
            var body = await ReadAsync<CompleteBody>(request, ct);
            var result = await tasks.CompleteAsync(id, user, body.Action, body.Values, request.Headers["Idempotency-Key"].FirstOrDefault(), ct);
            return Results.Json(TaskView.From(result.Task), FeedbackEndpoints.Json);
        });
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <exception cref="TaskValidationException">Not a whole number.</exception>
    private static int? Number(string? value, string name) =>
        Text(value) is not { } text ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new TaskValidationException([$"{name}: '{text}' is not a whole number."]);

    /// <summary>Reads a JSON body with a size cap; an empty body is an empty object, shape errors are a 400 naming the path.</summary>
    private static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken ct) where T : class, new()
    {
        if (request.ContentLength == 0) return new T();
        return await JsonBody.ReadAsync<T>(request, MaxBodyBytes, message => new TaskValidationException([message]), ct)
            ?? throw new TaskValidationException(["body: a JSON object is required."]);
    }

    /// <summary><c>{to, reason}</c>.</summary>
    private sealed class ReassignBody
    {
        public string? To { get; init; }
        public string? Reason { get; init; }
    }

    /// <summary><c>{action, values}</c>.</summary>
    private sealed class CompleteBody
    {
        public string? Action { get; init; }
        public JsonObject? Values { get; init; }
    }

    /// <summary>What staff see of a task; the bookmark and the completion key stay inside.</summary>
    private sealed record TaskView(
        string Id, string WorkflowInstanceId, string? CaseNumber, string Title, string? Instructions, string? Assignee, string? Role,
        string? Department, IReadOnlyList<TaskField> Fields, IReadOnlyList<string> Actions, DateTimeOffset? DueAt, FeedbackTaskStatus Status,
        string? ClaimedBy, string? CompletedBy, string? CompletedAction, JsonObject? Values, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt,
        IReadOnlyList<string> Excluded)
    {
        public static TaskView From(FeedbackTask t) => new(
            t.Id, t.WorkflowInstanceId, t.CaseNumber, t.Title, t.Instructions, t.Assignee, t.Role, t.DepartmentId, t.Fields, t.Actions, t.DueAt,
            t.Status, t.ClaimedBy, t.CompletedBy, t.CompletedAction, t.CompletedValues, t.CreatedAt, t.CompletedAt, t.Excluded);
    }
}
