using Feedback.Workflows.Runtime;
using Microsoft.Extensions.Logging;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Writes a line to the host's log and the instance journal.</summary>
[Activity("Elsa", "Primitives", "Writes a line of text to the log and the journal.", DisplayName = "Write Line")]
public sealed class WriteLine(ILogger<WriteLine> logger) : CodeActivity
{
    [Input(Description = "The text to write.")]
    public Input<string?> Text { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var text = context.Get(Text);
        logger.LogInformation("{InstanceId}: {Text}", context.WorkflowInstanceId, text);
        context.AddJournal("WriteLine", text);
    }
}
