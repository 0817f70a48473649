using Feedback.Activities.Cases;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Sla;

/// <summary>
/// Changes a case's SLA clocks from a flow, in the step's commit: stops a clock at the step that meets it (the plan
/// submitted), pauses or resumes all of them (waiting for the customer), or starts a clock of the flow's own.
/// </summary>
[Activity("Feedback", "Feedback",
    "Starts, stops, pauses or resumes the case's SLA clocks: stop a policy clock where the flow meets it, pause while waiting for the customer or a supplier, or start a clock of the flow's own.",
    DisplayName = "SLA Clock")]
public sealed class SlaClock : CodeActivity
{
    [Input(Description = "What to do.", UIHint = InputUIHints.DropDown, Options = [nameof(SlaClockAction.Stop), nameof(SlaClockAction.Pause), nameof(SlaClockAction.Resume), nameof(SlaClockAction.Start)],
        DefaultValue = nameof(SlaClockAction.Stop), Order = 0)]
    public Input<string> Action { get; set; } = default!;

    [Input(Description = "The clock (Acknowledgement, Classification, Assignment, Plan, Resolution, Reply, or the flow's own); empty pauses or resumes every clock of the case.", Order = 1)]
    public Input<string?> Clock { get; set; } = default!;

    [Input(Description = "Start only: the target (d.hh:mm:ss; days are working days in working time).", Order = 2)]
    public Input<TimeSpan?> Within { get; set; } = default!;

    [Input(Description = "Start only: count in calendar time instead of working time.", Order = 3)]
    public Input<bool> CalendarTime { get; set; } = default!;

    [Input(Description = "Start only: whose calendar; empty uses the case's lead department.", Order = 4)]
    public Input<string?> Department { get; set; } = default!;

    [Input(Description = "Why (kept with the clock's events), e.g. what the case waits for.", Order = 5)]
    public Input<string?> Note { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 6)]
    public Input<string?> CaseNumber { get; set; } = default!;

    protected override void Execute(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var text = Blank(context.Get(Action)) ?? nameof(SlaClockAction.Stop);
        if (!Enum.TryParse<SlaClockAction>(text, ignoreCase: true, out var action) || !Enum.IsDefined(action))
            throw new FormatException($"Input 'Action': '{text}' is not Start, Stop, Pause or Resume.");
        var clock = Blank(context.Get(Clock));
        var within = context.Get(Within);
        switch (action)
        {
            case SlaClockAction.Start when clock is null || within is not { Ticks: > 0 }:
                throw new FormatException("Starting a clock needs a Clock name and a positive Within.");
            case SlaClockAction.Start when SlaClockNames.All.Contains(clock):
                throw new FormatException($"Input 'Clock': '{clock}' is a policy clock, started by the case itself; give the flow's clock another name.");
            case SlaClockAction.Stop when clock is null:
                throw new FormatException("Stopping a clock needs its name.");
        }
        context.Enlist(new SlaClockCommand(number, action, clock, within, context.Get(CalendarTime) ? SlaBasis.Calendar : SlaBasis.Working,
            Blank(context.Get(Department)), Blank(context.Get(Note))));
        // Deadlines waiting on a paused clock, or timed for a running one, re-read it once this step has committed.
        if (action is SlaClockAction.Pause or SlaClockAction.Resume)
            context.AddOutboxMessage(SlaRecheckOutboxHandler.OutboxType, new System.Text.Json.Nodes.JsonObject { ["workflowInstanceId"] = context.WorkflowInstanceId });
    }
}
