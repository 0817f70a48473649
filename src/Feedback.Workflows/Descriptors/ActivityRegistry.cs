using System.Reflection;
using Feedback.Workflows.Activities;

namespace Feedback.Workflows.Descriptors;

/// <summary>The activity types this runtime can execute, by Elsa type name. Filled at start-up, read-only after.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, ActivityTypeInfo> _byTypeName = new(StringComparer.Ordinal);
    private IReadOnlyList<ActivityDescriptor>? _descriptors;

    /// <summary>Registers an activity class.</summary>
    /// <exception cref="InvalidOperationException">Another class already uses the same type name.</exception>
    public ActivityRegistry Add(Type activityType)
    {
        var info = ActivityTypeInfo.Describe(activityType);
        if (_byTypeName.TryGetValue(info.TypeName, out var existing) && existing.ClrType != activityType)
            throw new InvalidOperationException($"Activity type name '{info.TypeName}' is used by both {existing.ClrType.FullName} and {activityType.FullName}.");
        _byTypeName[info.TypeName] = info;
        _descriptors = null;
        return this;
    }

    /// <summary>Registers every concrete class with <see cref="ActivityAttribute"/> in <paramref name="assembly"/>.</summary>
    public ActivityRegistry AddFromAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(t => !t.IsAbstract && typeof(Activity).IsAssignableFrom(t) && t.GetCustomAttribute<ActivityAttribute>() is not null))
            Add(type);
        return this;
    }

    /// <summary>Finds an activity type by Elsa type name; short names (<c>WriteLine</c>) resolve when unambiguous.</summary>
    public ActivityTypeInfo? Find(string typeName)
    {
        if (_byTypeName.TryGetValue(typeName, out var info)) return info;
        var matches = _byTypeName.Values.Where(i => i.Descriptor.Name == typeName).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    public IReadOnlyCollection<ActivityTypeInfo> All => _byTypeName.Values;

    /// <summary>Descriptors for the Studio: every registered activity plus the flowchart container itself.</summary>
    public IReadOnlyList<ActivityDescriptor> Descriptors => _descriptors ??= _byTypeName.Values
        .Select(i => i.Descriptor)
        .Append(FlowchartDescriptor)
        .OrderBy(d => d.Category).ThenBy(d => d.DisplayName)
        .ToList();

    /// <summary>The root container; not an executable activity class here, but the Studio must find its descriptor.</summary>
    public static ActivityDescriptor FlowchartDescriptor { get; } = new()
    {
        TypeName = Model.WorkflowModel.FlowchartType,
        Namespace = "Elsa",
        Name = "Flowchart",
        Category = "Workflows",
        DisplayName = "Flowchart",
        Description = "A graph of activities connected by outcomes.",
        IsContainer = true,
        IsBrowsable = false,
    };
}
