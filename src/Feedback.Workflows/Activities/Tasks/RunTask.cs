using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Activities.Tasks;

/// <summary>Hands work to something outside the workflow and waits until <c>POST /elsa/api/tasks/{taskId}/complete</c>.</summary>
[Activity("Elsa", "Primitives", "Requests an external task and waits until it is completed through the API.", DisplayName = "Run Task", Kind = ActivityKind.Task)]
public sealed class RunTask : Activity
{
    public const string Stimulus = "Elsa.RunTask";
    /// <summary>The input key carrying the completion's result on resume.</summary>
    public const string ResultKey = "RunTaskResult";

    [Input(Description = "What the task is (read by whoever carries it out).")]
    public Input<string> TaskName { get; set; } = default!;

    [Input(Description = "Data for whoever carries out the task.", UIHint = InputUIHints.JsonEditor)]
    public Input<object?> Payload { get; set; } = default!;

    [Output(Description = "The task's id, used to complete it.")]
    public Output<string> TaskId { get; set; } = default!;

    [Output(Description = "What the completion sent.")]
    public Output<object> Result { get; set; } = default!;

    public static JsonObject BookmarkPayload(string taskId) => new() { ["TaskId"] = taskId };

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var taskId = Ids.New();
        var name = context.Get(TaskName) ?? throw new FormatException("The task name is empty.");
        context.Set(TaskId, taskId);
        context.Properties["taskName"] = name;
        context.Properties["payload"] = ValueConverter.ToJson(context.Get(Payload));
        context.CreateBookmark(new BookmarkRequest(Stimulus, BookmarkPayload(taskId)));
        context.AddJournal("TaskRequested", name, new JsonObject { ["taskId"] = taskId });
        return ValueTask.CompletedTask;
    }

    protected internal override ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        context.Set(Result, context.Input.GetValueOrDefault(ResultKey)?.DeepClone());
        context.Complete();
        return ValueTask.CompletedTask;
    }
}
