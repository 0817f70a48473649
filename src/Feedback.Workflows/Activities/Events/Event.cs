using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Events;

/// <summary>Waits for a named event (or, as a trigger, starts the workflow when it is published); its payload becomes the result.</summary>
[Activity("Elsa", "Primitives", "Waits for the named event; the event's payload is its result.")]
public sealed class Event : Activity, ITrigger
{
    public const string Stimulus = "Elsa.Event";
    /// <summary>The input key under which a published event's payload reaches the activity.</summary>
    public const string PayloadKey = "__EventPayloadWorkflowInput";

    [Input(Description = "The event to wait for.")]
    public Input<string> EventName { get; set; } = default!;

    [Output(Description = "The event's payload.")]
    public Output<object> Result { get; set; } = default!;

    public static JsonObject Payload(string eventName) => new() { ["EventName"] = eventName };

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        if (context.IsTriggerOfWorkflow) return ResumeAsync(context);
        var name = context.Get(EventName) ?? throw new FormatException("The event name is empty.");
        context.CreateBookmark(new BookmarkRequest(Stimulus, Payload(name)));
        return ValueTask.CompletedTask;
    }

    protected internal override ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        var payload = context.Input.GetValueOrDefault(PayloadKey) ?? context.WorkflowContext.State.Input.GetValueOrDefault(PayloadKey);
        context.Set(Result, payload?.DeepClone());
        context.Complete();
        return ValueTask.CompletedTask;
    }

    public TriggerRegistration GetTrigger(TriggerIndexingContext context)
    {
        var name = context.Get(EventName);
        if (string.IsNullOrWhiteSpace(name)) throw new FormatException("The event name is empty.");
        return new TriggerRegistration(Stimulus, Payload(name));
    }
}
