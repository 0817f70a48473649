using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Activities.Events;

/// <summary>Publishes an event after this step commits: it resumes waiting Event activities and starts triggered workflows.</summary>
[Activity("Elsa", "Primitives", "Publishes an event once this step is committed.", DisplayName = "Publish Event")]
public sealed class PublishEvent : CodeActivity
{
    /// <summary>The outbox message type delivered by the runtime's event dispatcher.</summary>
    public const string OutboxType = "Elsa.PublishEvent";

    /// <summary>
    /// The message's time of raising, added when its step commits: the delivery resumes only bookmarks created by
    /// then, so that a delivery repeated after a partial failure does not resume a bookmark the first one re-armed.
    /// </summary>
    /// <remarks>
    /// Both times come from the clocks of the hosts involved, which must agree, as the clustered scheduler already
    /// requires: a bookmark armed on a host whose clock runs ahead could otherwise miss an event raised just after it.
    /// </remarks>
    public const string RaisedAtKey = "raisedAt";

    [Input(Description = "The event to publish.")]
    public Input<string> EventName { get; set; } = default!;

    [Input(Description = "Only instances with this correlation id receive it (empty: all).")]
    public Input<string?> CorrelationId { get; set; } = default!;

    [Input(Description = "Deliver only to this workflow instance.", DisplayName = "Local event")]
    public Input<bool> IsLocalEvent { get; set; } = default!;

    [Input(Description = "Data passed to the receivers.", UIHint = InputUIHints.JsonEditor)]
    public Input<object?> Payload { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var name = context.Get(EventName);
        if (string.IsNullOrWhiteSpace(name)) throw new FormatException("The event name is empty.");
        context.AddOutboxMessage(OutboxType, new JsonObject
        {
            ["eventName"] = name,
            ["correlationId"] = context.Get(CorrelationId),
            ["workflowInstanceId"] = context.Get(IsLocalEvent) ? context.WorkflowInstanceId : null,
            ["payload"] = ValueConverter.ToJson(context.Get(Payload)),
        });
    }
}
