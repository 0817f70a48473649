using System.Text.Json;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Feedback.Workflows.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Runtime;

/// <summary>Builds an activity object from its node and evaluates its inputs, so the activity sees plain values.</summary>
internal sealed class ActivityInvoker(IEnumerable<IExpressionHandler> handlers)
{
    private readonly Dictionary<string, IExpressionHandler> _handlers =
        handlers.GroupBy(h => h.Type, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    /// <summary>The activity object, its evaluated inputs and its outputs.</summary>
    internal sealed record Prepared(Activity Activity, Dictionary<Input, object?> Inputs, Dictionary<Output, ActivityOutputInfo> Outputs);

    /// <exception cref="ActivityFaultException">An input failed to evaluate or to convert.</exception>
    public async ValueTask<Prepared> PrepareAsync(ActivityNode node, IExpressionScope scope, IServiceProvider services, CancellationToken cancellationToken)
    {
        var info = node.TypeInfo;
        var activity = (Activity)ActivatorUtilities.CreateInstance(services, info.ClrType);
        var values = new Dictionary<Input, object?>(ReferenceEqualityComparer.Instance);
        foreach (var input in info.Inputs)
        {
            if (input.IsWrapped)
            {
                var expression = node.Expressions.GetValueOrDefault(input.Name)
                    ?? (input.Attribute.DefaultValue is { } d ? Expression.Literal(ValueConverter.ToJson(d is Enum ? d.ToString() : d)) : null);
                if (expression is null) continue;
                var wrapped = (Input)Activator.CreateInstance(typeof(Input<>).MakeGenericType(input.ValueType), expression)!;
                input.Property.SetValue(activity, wrapped);
                values[wrapped] = await EvaluateAsync(node, input, expression, scope, cancellationToken);
            }
            else if (node.PlainInputs.TryGetValue(input.Name, out var json) && json is not null)
            {
                try { input.Property.SetValue(activity, json.Deserialize(input.ValueType, ElsaJson.Options)); }
                catch (JsonException e) { throw new ActivityFaultException($"{Describe(node)}, input '{input.Name}': {e.Message}", e); }
            }
        }
        var outputs = new Dictionary<Output, ActivityOutputInfo>(ReferenceEqualityComparer.Instance);
        foreach (var output in info.Outputs)
        {
            var instance = (Output)Activator.CreateInstance(output.Property.PropertyType)!;
            instance.VariableId = node.OutputBindings.GetValueOrDefault(output.Name);
            output.Property.SetValue(activity, instance);
            outputs[instance] = output;
        }
        return new Prepared(activity, values, outputs);
    }

    private ValueTask<object?> EvaluateAsync(ActivityNode node, ActivityInputInfo input, Expression expression, IExpressionScope scope, CancellationToken cancellationToken) =>
        EvaluateAsync(node, input.Name, expression, input.ValueType, scope, cancellationToken);

    /// <summary>Evaluates one expression for <paramref name="node"/> and converts it; failures name the activity and the input.</summary>
    /// <exception cref="ActivityFaultException">The expression failed or its result does not fit <paramref name="type"/>.</exception>
    public async ValueTask<object?> EvaluateAsync(ActivityNode node, string inputName, Expression expression, Type type, IExpressionScope scope, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(expression.Type, out var handler))
            throw new ActivityFaultException($"{Describe(node)}, input '{inputName}': no handler for expression syntax '{expression.Type}'.");
        try
        {
            var raw = await handler.EvaluateAsync(expression, new ExpressionContext(scope, node.Id, node.Type, inputName), cancellationToken);
            return ValueConverter.Convert(raw, type);
        }
        catch (Exception e) when (e is ExpressionEvaluationException or FormatException or KeyNotFoundException or JsonException)
        {
            throw new ActivityFaultException($"{Describe(node)}, input '{inputName}' ({expression.Type}): {e.Message}", e);
        }
    }

    internal static string Describe(ActivityNode node) => $"Activity '{node.DisplayName}' ({node.Type})";
}
