using System.Text.Json.Nodes;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Expressions;

/// <summary>What an expression can see and change of the running workflow. Values are JSON, as they are persisted.</summary>
public interface IExpressionScope
{
    string WorkflowInstanceId { get; }
    string WorkflowDefinitionId { get; }
    string WorkflowDefinitionVersionId { get; }
    int WorkflowDefinitionVersion { get; }
    string? CorrelationId { get; set; }
    string? WorkflowInstanceName { get; set; }

    /// <summary>The variables declared by the definition.</summary>
    IReadOnlyList<VariableDefinition> Variables { get; }

    /// <summary>A variable's current value by name or id; throws <see cref="KeyNotFoundException"/> for an unknown one.</summary>
    JsonNode? GetVariable(string nameOrId);

    /// <summary>Sets a declared variable by name or id; throws <see cref="KeyNotFoundException"/> for an unknown one.</summary>
    void SetVariable(string nameOrId, JsonNode? value);

    /// <summary>The workflow's input (what it was started or last resumed with).</summary>
    IReadOnlyDictionary<string, JsonNode?> WorkflowInput { get; }

    /// <summary>An output recorded by an earlier activity, found by activity id or name; null when absent.</summary>
    JsonNode? GetActivityOutput(string activityIdOrName, string? outputName);

    /// <summary>The result of the most recently completed activity that produced one.</summary>
    JsonNode? LastResult { get; }
}

/// <summary>Where an expression is being evaluated, for error messages and input-scoped lookups.</summary>
public sealed record ExpressionContext(IExpressionScope Scope, string ActivityId, string ActivityType, string InputName);
