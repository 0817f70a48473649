using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Serialization;

namespace Feedback.Workflows.Activities.Flow;

/// <summary>Takes the path of each case whose condition holds (the first one, or all), else <c>Default</c>.</summary>
[Activity("Elsa", "Branching", "Takes the path of the matching case, or Default.", DisplayName = "Switch (flow)")]
public sealed class FlowSwitch : Activity
{
    public const string DefaultOutcome = "Default";

    [Input(Description = "The cases to evaluate, in order.", UIHint = InputUIHints.FlowSwitchEditor)]
    public List<FlowSwitchCase> Cases { get; set; } = new();

    [Input(Description = "MatchFirst takes the first matching case; MatchAny takes every matching case.", DefaultValue = SwitchMode.MatchFirst)]
    public Input<SwitchMode> Mode { get; set; } = default!;

    protected internal override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var matchAny = context.Get(Mode) == SwitchMode.MatchAny;
        var matched = new List<string>();
        foreach (var @case in Cases)
        {
            var expression = @case.Condition is JsonObject o
                ? new Model.Expression((string?)o["type"] ?? Model.Expression.Types.Literal, o["value"]?.DeepClone())
                : Model.Expression.Literal(@case.Condition?.DeepClone());
            if (!await context.EvaluateAsync<bool>(expression, $"case '{@case.Label}'")) continue;
            matched.Add(@case.Label);
            if (!matchAny) break;
        }
        context.Complete(matched.Count > 0 ? matched.ToArray() : [DefaultOutcome]);
    }
}

/// <summary>One labelled case of a <see cref="FlowSwitch"/>; its condition is an expression object.</summary>
public sealed record FlowSwitchCase(string Label, JsonNode? Condition);

/// <summary>How many matching cases a switch takes.</summary>
public enum SwitchMode { MatchFirst, MatchAny }
