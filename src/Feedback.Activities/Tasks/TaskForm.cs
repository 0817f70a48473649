using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Feedback.Activities.Tasks;

/// <summary>
/// The rules of a task's form: which field definitions a designer may write, and which submitted action and values
/// fit them. Used by <see cref="TaskService"/> before resuming and again by <see cref="StaffTask"/> on resume.
/// </summary>
public static class TaskForm
{
    /// <summary>The field types a form understands.</summary>
    public static readonly IReadOnlyList<string> FieldTypes = ["text", "number", "date", "choice", "attachment"];

    /// <summary>Long enough for a rectification plan, short enough to keep task rows small.</summary>
    public const int MaxTextLength = 20_000;

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>A checked submission: every problem found, and the values normalized (numbers as numbers, text trimmed).</summary>
    public sealed record Submission(IReadOnlyList<string> Errors, JsonObject Values)
    {
        public bool IsValid => Errors.Count == 0;
    }

    /// <summary>Problems with a designer's field list: names missing or repeated, unknown types, choice fields without choices.</summary>
    /// <param name="isVariable">Whether a workflow variable of that name or id is declared; explicit bindings must name one.</param>
    public static IReadOnlyList<string> CheckDefinition(IReadOnlyList<TaskField> fields, Func<string, bool> isVariable)
    {
        var errors = new List<string>();
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var label = $"Fields[{i}]";
            if (string.IsNullOrWhiteSpace(field.Name)) { errors.Add($"{label}: has no name."); continue; }
            label = $"Field '{field.Name}'";
            if (fields.Take(i).Any(f => string.Equals(f.Name, field.Name, StringComparison.OrdinalIgnoreCase)))
                errors.Add($"{label}: the name is used more than once.");
            if (TypeOf(field) is null)
                errors.Add($"{label}: unknown type '{field.Type}'; use one of {string.Join(", ", FieldTypes)}.");
            if (TypeOf(field) == "choice" && (field.Choices is null || field.Choices.All(string.IsNullOrWhiteSpace)))
                errors.Add($"{label}: a choice field needs at least one choice.");
            if (!string.IsNullOrWhiteSpace(field.Variable) && !isVariable(field.Variable))
                errors.Add($"{label}: it writes to variable '{field.Variable}', which the workflow does not declare.");
        }
        return errors;
    }

    /// <summary>Checks an action and its values against the task's actions and fields.</summary>
    public static Submission CheckSubmission(IReadOnlyList<TaskField> fields, IReadOnlyList<string> actions, string? action, JsonObject? values)
    {
        var errors = new List<string>();
        var normalized = new JsonObject();
        if (string.IsNullOrWhiteSpace(action))
            errors.Add($"action: required; one of {string.Join(", ", actions)}.");
        else if (!actions.Contains(action, StringComparer.Ordinal))
            errors.Add($"action: '{action}' is not an action of this task; use one of {string.Join(", ", actions)}.");

        values ??= new JsonObject();
        foreach (var (key, _) in values)
            if (!fields.Any(f => f.Name == key))
                errors.Add($"values.{key}: the task has no such field; its fields are {(fields.Count == 0 ? "none" : string.Join(", ", fields.Select(f => f.Name)))}.");

        foreach (var field in fields)
        {
            var raw = values[field.Name];
            if (IsEmpty(raw))
            {
                if (field.Required) errors.Add($"values.{field.Name}: required.");
                continue;
            }
            var (value, error) = Normalize(field, raw!);
            if (error is not null) errors.Add($"values.{field.Name}: {error}");
            else normalized[field.Name] = value;
        }
        return new Submission(errors, normalized);
    }

    /// <summary>The field's type in lower case, or null when it is not one of <see cref="FieldTypes"/>.</summary>
    public static string? TypeOf(TaskField field)
    {
        var type = string.IsNullOrWhiteSpace(field.Type) ? "text" : field.Type.Trim().ToLowerInvariant();
        return FieldTypes.Contains(type) ? type : null;
    }

    private static bool IsEmpty(JsonNode? node) =>
        node is null
        || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null)
        || (node is JsonValue s && s.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(s.GetValue<string>()));

    private static (JsonNode? Value, string? Error) Normalize(TaskField field, JsonNode raw)
    {
        var text = raw is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>().Trim() : null;
        switch (TypeOf(field))
        {
            case "number":
                if (raw is JsonValue n && n.GetValueKind() == JsonValueKind.Number && n.TryGetValue<decimal>(out var number)) return (JsonValue.Create(number), null);
                if (text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number)) return (JsonValue.Create(number), null);
                return (null, "must be a number, e.g. 12.5.");
            case "date":
                if (text is not null && DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                    return (JsonValue.Create(text), null);
                return (null, "must be an ISO date (2026-12-31) or date and time (2026-12-31T17:00:00+08:00).");
            case "choice":
                if (text is not null && field.Choices is { } choices && choices.Contains(text, StringComparer.Ordinal)) return (JsonValue.Create(text), null);
                return (null, $"must be one of {string.Join(", ", field.Choices ?? [])}.");
            case "attachment":
                if (text is not null && Uri.TryCreate(text, UriKind.Absolute, out var link) && link.Scheme is "http" or "https" && link.Host.Length > 0)
                    return (JsonValue.Create(link.AbsoluteUri), null);
                return (null, "must be an http(s) link to the file.");
            case "text":
                if (text is null) return (null, "must be text.");
                if (text.Length > MaxTextLength) return (null, $"at most {MaxTextLength} characters.");
                return (JsonValue.Create(text), null);
            default:
                return (null, $"the field's type '{field.Type}' is unknown.");
        }
    }
}
