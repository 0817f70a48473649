namespace Feedback.Workflows.Activities;

/// <summary>Declares a class as an activity: its type name is <c>{Namespace}.{Type ?? class name}</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string @namespace, string? category = null, string? description = null) : Attribute
{
    public string Namespace { get; } = @namespace;
    public string? Category { get; } = category;
    public string? Description { get; } = description;

    /// <summary>The type's short name; the class name when unset.</summary>
    public string? Type { get; set; }
    public int Version { get; set; } = 1;
    public string? DisplayName { get; set; }
    public ActivityKind Kind { get; set; } = ActivityKind.Action;
}

/// <summary>The outcomes (flow ports) an activity can complete with, declared once on the class.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FlowNodeAttribute(params string[] outcomes) : Attribute
{
    public IReadOnlyList<string> Outcomes { get; } = outcomes;
}

/// <summary>Designer metadata for an input property (<see cref="Input{T}"/> or a plain property).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class InputAttribute : Attribute
{
    public string? DisplayName { get; set; }
    public string? Description { get; set; }
    public string? Category { get; set; }
    /// <summary>The Studio editor to use; see <see cref="InputUIHints"/>.</summary>
    public string? UIHint { get; set; }
    /// <summary>Fixed choices for dropdown, radio and checklist hints.</summary>
    public string[]? Options { get; set; }
    public float Order { get; set; }
    public object? DefaultValue { get; set; }
    /// <summary>The syntax a new value starts in (<c>Literal</c> unless set).</summary>
    public string? DefaultSyntax { get; set; }
    public bool IsReadOnly { get; set; }
    public bool IsBrowsable { get; set; } = true;
    public bool CanContainSecrets { get; set; }
}

/// <summary>Designer metadata for an <see cref="Output{T}"/> property.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OutputAttribute : Attribute
{
    public string? DisplayName { get; set; }
    public string? Description { get; set; }
    public bool IsBrowsable { get; set; } = true;
}

/// <summary>How the Studio groups and treats an activity.</summary>
public enum ActivityKind { Action, Trigger, Job, Task }

/// <summary>Marks activities that end their flowchart (no out-port in the designer).</summary>
public interface ITerminalNode;

/// <summary>Marks activities that begin a flowchart (no in-port in the designer).</summary>
public interface IStartNode;

/// <summary>Input editors the Studio understands.</summary>
public static class InputUIHints
{
    public const string SingleLine = "singleline";
    public const string MultiLine = "multiline";
    public const string Checkbox = "checkbox";
    public const string CheckList = "checklist";
    public const string RadioList = "radiolist";
    public const string DropDown = "dropdown";
    public const string CodeEditor = "code-editor";
    public const string JsonEditor = "json-editor";
    public const string MultiText = "multitext";
    public const string DateTimePicker = "datetime-picker";
    public const string VariablePicker = "variable-picker";
    public const string DynamicOutcomes = "dynamic-outcomes";
    public const string FlowSwitchEditor = "flow-switch-editor";
    public const string Dictionary = "dictionary";
}
