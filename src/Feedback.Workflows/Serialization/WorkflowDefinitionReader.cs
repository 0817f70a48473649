using System.Text.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Descriptors;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Serialization;

/// <summary>
/// Turns Elsa workflow-definition JSON into an executable <see cref="WorkflowModel"/>. Reads leniently (legacy
/// shapes, either type-name form, bare literals) and validates strictly: every problem is collected and reported
/// with the activity and property it concerns.
/// </summary>
public sealed class WorkflowDefinitionReader(ActivityRegistry activities, IEnumerable<IExpressionHandler> expressionHandlers)
{
    private readonly Dictionary<string, IExpressionHandler> _handlers =
        expressionHandlers.GroupBy(h => h.Type, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses and validates a definition.</summary>
    /// <exception cref="WorkflowDefinitionException">The definition is not executable; <c>Errors</c> lists every problem.</exception>
    public WorkflowModel Read(JsonObject definition, string definitionId, string versionId, int version)
    {
        var errors = new List<string>();
        var variables = ReadVariables(definition["variables"], "workflow", errors);

        if (definition["root"] is not JsonObject root)
            throw new WorkflowDefinitionException("The definition has no 'root' object; it must be an Elsa.Flowchart.");
        var rootType = (string?)root["type"];
        if (rootType is not (WorkflowModel.FlowchartType or "Flowchart"))
            throw new WorkflowDefinitionException($"The root activity is '{rootType ?? "(no type)"}'; only {WorkflowModel.FlowchartType} roots can run here.");
        variables.AddRange(ReadVariables(root["variables"], "flowchart", errors));
        var variableIds = variables.SelectMany(v => new[] { v.Id, v.Name }).ToHashSet(StringComparer.Ordinal);
        foreach (var duplicate in variables.GroupBy(v => v.Name).Where(g => g.Count() > 1))
            errors.Add($"Variable name '{duplicate.Key}' is declared more than once.");

        var rootId = (string?)root["id"] ?? "Flowchart1";
        var rootNodeId = $"Workflow1:{rootId}";
        var nodes = new List<ActivityNode>();
        foreach (var item in AsArray(root["activities"]))
        {
            if (item is not JsonObject json) { errors.Add("An entry of 'root.activities' is not an object."); continue; }
            var node = ReadActivity(json, rootNodeId, variableIds, errors);
            if (node is null) continue;
            if (nodes.Any(n => n.Id == node.Id)) errors.Add($"Activity id '{node.Id}' is used more than once.");
            else nodes.Add(node);
        }

        var connections = new List<Connection>();
        foreach (var item in AsArray(root["connections"]))
        {
            var connection = ReadConnection(item, errors);
            if (connection is null) continue;
            var label = $"Connection {connection.SourceActivityId}:{connection.SourcePort} -> {connection.TargetActivityId}";
            var source = nodes.FirstOrDefault(n => n.Id == connection.SourceActivityId);
            if (source is null) { errors.Add($"{label}: source activity '{connection.SourceActivityId}' does not exist."); continue; }
            if (nodes.All(n => n.Id != connection.TargetActivityId)) { errors.Add($"{label}: target activity '{connection.TargetActivityId}' does not exist."); continue; }
            if (!source.TypeInfo.HasDynamicOutcomes && !source.TypeInfo.Outcomes.Contains(connection.SourcePort))
                errors.Add($"{label}: '{source.DisplayName}' ({source.Type}) has no outcome '{connection.SourcePort}'; its outcomes are {string.Join(", ", source.TypeInfo.Outcomes)}.");
            connections.Add(connection);
        }

        if (errors.Count > 0) throw new WorkflowDefinitionException(errors);
        return new WorkflowModel
        {
            DefinitionId = definitionId,
            VersionId = versionId,
            Version = version,
            Name = (string?)definition["name"],
            Variables = variables,
            Inputs = AsArray(definition["inputs"]).OfType<JsonObject>().Select(ReadArgument).ToList(),
            IncidentStrategy = ((string?)definition["options"]?["incidentStrategyType"])?.Contains("ContinueWithIncidents", StringComparison.Ordinal) == true
                ? IncidentStrategy.ContinueWithIncidents : IncidentStrategy.Fault,
            Root = new FlowchartModel(rootId, rootNodeId, nodes, connections),
        };
    }

    private ActivityNode? ReadActivity(JsonObject json, string parentNodeId, HashSet<string> variableIds, List<string> errors)
    {
        var id = (string?)json["id"];
        var type = (string?)json["type"];
        var name = (string?)json["name"];
        var label = $"Activity '{name ?? id ?? "?"}'" + (id is not null && name is not null ? $" (id {id})" : "");
        if (string.IsNullOrWhiteSpace(id)) { errors.Add($"{label}: has no 'id'."); return null; }
        if (string.IsNullOrWhiteSpace(type)) { errors.Add($"{label}: has no 'type'."); return null; }
        var info = activities.Find(type);
        if (info is null) { errors.Add($"{label}: unknown activity type '{type}'."); return null; }

        var expressions = new Dictionary<string, Expression>();
        var plain = new Dictionary<string, JsonNode?>();
        foreach (var input in info.Inputs)
        {
            var value = json[input.JsonName] ?? json[input.Name];
            if (value is null) continue;
            if (!input.IsWrapped) { plain[input.Name] = ReadPlainInput(value); continue; }
            var expression = ReadWrappedInput(value);
            if (expression is null) continue;
            if (!_handlers.TryGetValue(expression.Type, out var handler))
            {
                errors.Add($"{label}, input '{input.Name}': unknown expression syntax '{expression.Type}'; known: {string.Join(", ", _handlers.Keys.Order())}.");
                continue;
            }
            foreach (var problem in handler.Validate(expression))
                errors.Add($"{label}, input '{input.Name}' ({expression.Type}): {problem}");
            expressions[input.Name] = expression;
        }

        var outputs = new Dictionary<string, string>();
        foreach (var output in info.Outputs)
        {
            var variableId = (string?)(json[output.JsonName] ?? json[output.Name])?["memoryReference"]?["id"];
            if (string.IsNullOrEmpty(variableId)) continue;
            if (!variableIds.Contains(variableId)) errors.Add($"{label}, output '{output.Name}': bound to unknown variable '{variableId}'.");
            else outputs[output.Name] = variableId;
        }

        var canStart = (json["customProperties"]?["canStartWorkflow"] ?? json["canStartWorkflow"]) is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        return new ActivityNode
        {
            Id = id,
            NodeId = $"{parentNodeId}:{id}",
            Name = name,
            Type = info.TypeName,
            Version = json["version"] is JsonValue ver && ver.TryGetValue<int>(out var n) ? n : info.Version,
            TypeInfo = info,
            CanStartWorkflow = canStart,
            Expressions = expressions,
            PlainInputs = plain,
            OutputBindings = outputs,
        };
    }

    /// <summary>
    /// A plain (non-expression) input's value. The Studio's JSON editor saves even these wrapped as a literal holding
    /// JSON text (<c>{"expression":{"type":"Literal","value":"[...]"}}</c>); unwrap that to the JSON itself.
    /// </summary>
    internal static JsonNode? ReadPlainInput(JsonNode value)
    {
        if (value is not JsonObject { } wrapper || wrapper["expression"] is not JsonObject expression) return value.DeepClone();
        var inner = expression["value"];
        if (inner is JsonValue text && text.TryGetValue<string>(out var s) && s.TrimStart() is ['[' or '{', ..])
        {
            try { return JsonNode.Parse(s); }
            catch (JsonException) { return inner.DeepClone(); }
        }
        return inner?.DeepClone();
    }

    /// <summary>Reads <c>{typeName, expression:{type, value}}</c>, or a bare JSON value as a literal.</summary>
    internal static Expression? ReadWrappedInput(JsonNode value)
    {
        if (value is JsonObject wrapper)
        {
            if (wrapper["expression"] is not JsonObject expression) return null;
            var syntax = (string?)expression["type"] ?? Expression.Types.Literal;
            return new Expression(syntax, expression["value"]?.DeepClone());
        }
        return Expression.Literal(value.DeepClone());
    }

    private static Connection? ReadConnection(JsonNode? item, List<string> errors)
    {
        if (item is not JsonObject json) { errors.Add("An entry of 'root.connections' is not an object."); return null; }
        string? sourceId, sourcePort, targetId, targetPort;
        var source = json["source"] ?? json["Source"];
        var target = json["target"] ?? json["Target"];
        if (source is JsonObject s && target is JsonObject t)
        {
            sourceId = (string?)(s["activity"] ?? s["Activity"] ?? s["activityId"]);
            sourcePort = (string?)(s["port"] ?? s["Port"]);
            targetId = (string?)(t["activity"] ?? t["Activity"] ?? t["activityId"]);
            targetPort = (string?)(t["port"] ?? t["Port"]);
        }
        else
        {
            // Legacy flat form: {"source":"a1","sourcePort":"Done","target":"a2","targetPort":"In"}.
            sourceId = source is JsonValue ? (string?)source : null;
            targetId = target is JsonValue ? (string?)target : null;
            sourcePort = (string?)(json["sourcePort"] ?? json["outcome"]);
            targetPort = (string?)json["targetPort"];
        }
        if (string.IsNullOrEmpty(sourceId) || string.IsNullOrEmpty(targetId))
        {
            errors.Add($"A connection lacks its source or target activity: {json.ToJsonString()}");
            return null;
        }
        return new Connection(sourceId, string.IsNullOrEmpty(sourcePort) ? Connection.DefaultOutcome : sourcePort,
            targetId, string.IsNullOrEmpty(targetPort) ? Connection.DefaultInPort : targetPort);
    }

    private static List<VariableDefinition> ReadVariables(JsonNode? node, string where, List<string> errors)
    {
        var result = new List<VariableDefinition>();
        foreach (var item in AsArray(node))
        {
            if (item is not JsonObject json) { errors.Add($"An entry of the {where} variables is not an object."); continue; }
            try { result.Add(VariableDefinition.FromJson(json)); }
            catch (WorkflowDefinitionException e) { errors.Add($"{char.ToUpperInvariant(where[0])}{where[1..]} variable: {e.Message}"); }
        }
        return result;
    }

    private static ArgumentDefinition ReadArgument(JsonObject json) => new(
        (string?)json["name"] ?? "",
        (string?)(json["type"] ?? json["typeName"]) ?? "Object",
        (string?)json["displayName"],
        json["isArray"] is JsonValue v && v.TryGetValue<bool>(out var b) && b);

    /// <summary>Arrays, Newtonsoft's <c>{"$values":[...]}</c>, or nothing.</summary>
    internal static IEnumerable<JsonNode?> AsArray(JsonNode? node) => node switch
    {
        JsonArray array => array,
        JsonObject o when o["$values"] is JsonArray values => values,
        _ => [],
    };

    /// <summary>Parses definition text, turning JSON syntax errors into a definition error with line and position.</summary>
    public static JsonObject ParseDefinitionText(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                ?? throw new WorkflowDefinitionException("The definition JSON must be an object.");
        }
        catch (JsonException e)
        {
            throw new WorkflowDefinitionException($"The definition is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}): {e.Message}");
        }
    }
}
