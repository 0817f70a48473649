using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Primitives;

/// <summary>Raises an incident on purpose, with a code and message the operators will read.</summary>
[Activity("Elsa", "Primitives", "Faults the workflow with the given message.")]
public sealed class Fault : CodeActivity
{
    [Input(Description = "A short machine-readable code.")]
    public Input<string?> Code { get; set; } = default!;

    [Input(Description = "The category of the fault.")]
    public Input<string?> Category { get; set; } = default!;

    [Input(Description = "The message shown on the incident.")]
    public Input<string?> Message { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context) =>
        throw new WorkflowFaultException(context.Get(Code), context.Get(Category), context.Get(Message) ?? "The workflow was faulted on purpose.");
}

/// <summary>Thrown by <see cref="Fault"/>; becomes an incident like any activity failure.</summary>
public sealed class WorkflowFaultException(string? code, string? category, string message)
    : Exception(code is null ? message : $"[{code}] {message}")
{
    public string? Code { get; } = code;
    public string? Category { get; } = category;
}
