using Feedback.Activities.Cases;
using Feedback.Workflows.Api;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Diagnostics;

namespace Feedback.Host.Api;

/// <summary>Problem responses for the intake API: 400 with every field error, 422 for a reused Idempotency-Key, 404, 413, and 503 when no process is published.</summary>
internal sealed class FeedbackApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!context.Request.Path.StartsWithSegments("/api")) return false;
        var (status, title, errors) = exception switch
        {
            // 422 as payment APIs answer: the request is well-formed, its key is not this request's.
            IdempotencyKeyReusedException e => (StatusCodes.Status422UnprocessableEntity, "The Idempotency-Key was already used for a different request.", e.Errors),
            CaseValidationException e => (StatusCodes.Status400BadRequest, "The feedback is not valid.", e.Errors),
            BadHttpRequestException e => (e.StatusCode, "The request is malformed.", [e.Message]),
            PayloadTooLargeException e => (StatusCodes.Status413PayloadTooLarge, "Too large.", [e.Message]),
            Feedback.Activities.Tasks.TaskValidationException e => (StatusCodes.Status400BadRequest, "The task request is not valid.", e.Errors),
            Feedback.Activities.Tasks.TaskNotFoundException e => (StatusCodes.Status404NotFound, "Not found.", [e.Message]),
            Feedback.Activities.Tasks.TaskForbiddenException e => (StatusCodes.Status403Forbidden, "Not allowed.", [e.Message]),
            Feedback.Activities.Tasks.TaskConflictException e => (StatusCodes.Status409Conflict, "Conflict.", [e.Message]),
            Feedback.Activities.Tasks.TaskCompletionFailedException e => (StatusCodes.Status500InternalServerError, "The workflow failed to take the completion.", [e.Message]),
            Feedback.Activities.Access.AccessDeniedException e => (StatusCodes.Status403Forbidden, "Not allowed.", [e.Message]),
            Feedback.Activities.Reports.ReportValidationException e => (StatusCodes.Status400BadRequest, "The report request is not valid.", e.Errors),
            Feedback.Activities.StaffRecords.StaffRecordValidationException e => (StatusCodes.Status400BadRequest, "The staff record request is not valid.", e.Errors),
            Feedback.Activities.StaffRecords.StaffRecordConflictException e => (StatusCodes.Status409Conflict, "Conflict.", [e.Message]),
            KeyNotFoundException e => (StatusCodes.Status404NotFound, "Not found.", [e.Message]),
            WorkflowNotFoundException e => (StatusCodes.Status503ServiceUnavailable, "Feedback cannot be accepted right now.", [e.Message]),
            _ => (0, "", Array.Empty<string>()),
        };
        if (status == 0) return false;
        await ApiExceptionHandler.WriteProblemAsync(context, status, title, errors, cancellationToken);
        return true;
    }
}
