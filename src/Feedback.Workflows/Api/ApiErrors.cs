using System.Data.Common;
using System.Text.Json;
using Feedback.Workflows.Model;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Feedback.Workflows.Api;

/// <summary>
/// Maps the runtime's exceptions to problem responses the Studio can show: 400 with every validation message in
/// <c>errors</c> (also for a request value of the wrong type), 404 for unknown things, 409 for the runtime's conflicts
/// such as a bookmark that was already resumed or a published version that cannot be deleted, 503 while the
/// database cannot be reached, 500 with each failure for an event that reached only some of its receivers.
/// </summary>
public sealed class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!context.Request.Path.StartsWithSegments("/elsa/api")) return false;
        var (status, title, errors) = exception switch
        {
            WorkflowDefinitionException e => (StatusCodes.Status400BadRequest, "The workflow definition is invalid.", e.Errors),
            JsonException e => (StatusCodes.Status400BadRequest, "The request body is not valid JSON.", [e.Message]),
            BadHttpRequestException e => (e.StatusCode, "The request is malformed.", [e.Message]),
            FormatException e => (StatusCodes.Status400BadRequest, "A value has the wrong format.", [e.Message]),
            UnknownTriggerActivityException e => (StatusCodes.Status400BadRequest, "Unknown trigger activity.", [e.Message]),
            WorkflowNotFoundException or WorkflowInstanceNotFoundException or KeyNotFoundException
                => (StatusCodes.Status404NotFound, "Not found.", [exception.Message]),
            BookmarkNotWaitingException => (StatusCodes.Status409Conflict, "Already resumed.", [exception.Message]),
            // Before InvalidOperationException: EF Core wraps a lost database in one ("likely due to a transient
            // failure"), and a 409 would tell clients the request conflicts instead of asking them to try again.
            _ when IsDatabaseUnavailable(exception) => (StatusCodes.Status503ServiceUnavailable, "The database is unavailable; try again.", [exception.Message]),
            // The runtime's own refusals; any other InvalidOperationException is a fault of the server, not a conflict.
            WorkflowInstanceStateException or WorkflowDefinitionStateException or WorkflowDefinitionInUseException or WorkflowStepConflictException
                => (StatusCodes.Status409Conflict, "Conflict.", [exception.Message]),
            InvalidOperationException e when IsJsonValueOfWrongType(e)
                => (StatusCodes.Status400BadRequest, "A value has the wrong type.", [e.Message]),
            EventDeliveryException e => (StatusCodes.Status500InternalServerError, e.Message, e.InnerExceptions.Select(x => x.Message).ToList()),
            _ => (0, "", Array.Empty<string>()),
        };
        if (status == 0) return false;
        await WriteProblemAsync(context, status, title, errors, cancellationToken);
        return true;
    }

    /// <summary>
    /// Whether System.Text.Json refused to read a request value as the type an endpoint wanted (a number where a string
    /// belongs, as in <c>{"correlationId":5}</c>): it reports that as an <see cref="InvalidOperationException"/>.
    /// </summary>
    private static bool IsJsonValueOfWrongType(InvalidOperationException e) =>
        e.TargetSite?.DeclaringType?.Assembly == typeof(System.Text.Json.Nodes.JsonNode).Assembly;

    /// <summary>
    /// Whether the database failed underneath: a transient <see cref="DbException"/> (connection lost or refused, server
    /// shutting down) anywhere in the chain. Constraint violations are not transient and keep their own answer.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is DbException { IsTransient: true }) return true;
        return false;
    }

    /// <summary>Writes <c>application/problem+json</c> with <c>detail</c> and an <c>errors</c> list.</summary>
    public static Task WriteProblemAsync(HttpContext context, int status, string title, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = string.Join(" ", errors) };
        problem.Extensions["errors"] = errors;
        return context.Response.WriteAsJsonAsync(problem, (JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
    }
}
