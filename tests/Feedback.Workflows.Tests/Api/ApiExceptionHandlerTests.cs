using Feedback.Workflows.Api;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Http;

namespace Feedback.Workflows.Tests.Api;

/// <summary>Which failures the workflow API answers as conflicts.</summary>
public sealed class ApiExceptionHandlerTests
{
    private sealed class ReminderRaced() : WorkflowStepConflictException("The task was closed while its reminder was prepared.");

    [Fact]
    public async Task A_step_conflict_of_a_domain_is_a_409_and_an_unexpected_invalid_operation_is_not()
    {
        var handler = new ApiExceptionHandler();
        var raced = Context();
        (await handler.TryHandleAsync(raced, new ReminderRaced(), default)).Should().BeTrue();
        raced.Response.StatusCode.Should().Be(StatusCodes.Status409Conflict, "the step was rolled back and may be run again");

        (await handler.TryHandleAsync(Context(), new InvalidOperationException("a fault of the server"), default)).Should().BeFalse();
    }

    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/elsa/api/workflow-definitions/task-reminders/execute";
        context.Response.Body = new MemoryStream();
        return context;
    }
}
