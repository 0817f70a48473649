namespace Feedback.Workflows.Descriptors;

/// <summary>Elsa's activity descriptor, as <c>GET /elsa/api/descriptors/activities</c> returns it.</summary>
public sealed record ActivityDescriptor
{
    public required string TypeName { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public int Version { get; init; } = 1;
    public required string Category { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string Kind { get; init; } = "Action";
    public bool RunAsynchronously { get; init; }
    public IReadOnlyList<InputDescriptor> Inputs { get; init; } = [];
    public IReadOnlyList<OutputDescriptor> Outputs { get; init; } = [];
    public IReadOnlyList<PortDescriptor> Ports { get; init; } = [];
    public IReadOnlyDictionary<string, object?> CustomProperties { get; init; } = new Dictionary<string, object?>();
    public IReadOnlyDictionary<string, object?> ConstructionProperties { get; init; } = new Dictionary<string, object?>();
    public bool IsContainer { get; init; }
    public bool IsBrowsable { get; init; } = true;
    public bool IsStart { get; init; }
    public bool IsTerminal { get; init; }
}

/// <summary>One input of an activity descriptor.</summary>
public sealed record InputDescriptor
{
    public required string Name { get; init; }
    public required string TypeName { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public float Order { get; init; }
    public bool IsBrowsable { get; init; } = true;
    public bool IsSerializable { get; init; } = true;
    public bool IsSynthetic { get; init; }
    public bool IsWrapped { get; init; }
    public required string UiHint { get; init; }
    public string? Category { get; init; }
    public object? DefaultValue { get; init; }
    public string? DefaultSyntax { get; init; }
    public bool IsReadOnly { get; init; }
    public bool IsSensitive { get; init; }
    public bool AutoEvaluate { get; init; } = true;
    public IReadOnlyDictionary<string, object?>? UiSpecifications { get; init; }
}

/// <summary>One output of an activity descriptor.</summary>
public sealed record OutputDescriptor
{
    public required string Name { get; init; }
    public required string TypeName { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public float Order { get; init; }
    public bool IsBrowsable { get; init; } = true;
    public bool IsSerializable { get; init; } = true;
    public bool IsSynthetic { get; init; }
}

/// <summary>An outcome port drawn by the designer.</summary>
public sealed record PortDescriptor(string Name, string DisplayName, string Type = "Flow", bool IsBrowsable = true);
