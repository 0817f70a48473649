using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime.Background;

namespace Feedback.Activities.Sla;

/// <summary>
/// After a flow step paused or resumed clocks (<see cref="SlaClock"/>), wakes the instance's SLA deadlines so they
/// re-read their clock; it runs after the commit, which a step cannot do itself.
/// </summary>
internal sealed class SlaRecheckOutboxHandler(SlaClockService clocks) : IOutboxHandler
{
    public const string OutboxType = "Feedback.SlaRecheck";

    public string Type => OutboxType;

    public Task HandleAsync(string messageId, JsonObject payload, CancellationToken cancellationToken) =>
        clocks.RecheckDeadlinesAsync((string?)payload["workflowInstanceId"] ?? throw new FormatException("The SLA recheck message names no workflowInstanceId."), cancellationToken);
}
