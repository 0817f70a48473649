using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Feedback.Workflows.Activities;

namespace Feedback.Workflows.Descriptors;

/// <summary>Everything the runtime and the designer need to know about one activity class, read once from its attributes.</summary>
public sealed class ActivityTypeInfo
{
    private ActivityTypeInfo(Type clrType, ActivityDescriptor descriptor, IReadOnlyList<ActivityInputInfo> inputs, IReadOnlyList<ActivityOutputInfo> outputs)
    {
        ClrType = clrType;
        Descriptor = descriptor;
        Inputs = inputs;
        Outputs = outputs;
    }

    public Type ClrType { get; }
    public ActivityDescriptor Descriptor { get; }
    public string TypeName => Descriptor.TypeName;
    public int Version => Descriptor.Version;
    public IReadOnlyList<ActivityInputInfo> Inputs { get; }
    public IReadOnlyList<ActivityOutputInfo> Outputs { get; }

    /// <summary>The outcomes declared with <see cref="FlowNodeAttribute"/>; <c>Done</c> when none were declared.</summary>
    public IReadOnlyList<string> Outcomes => Descriptor.Ports.Count > 0 ? Descriptor.Ports.Select(p => p.Name).ToList() : [Model.Connection.DefaultOutcome];

    /// <summary>True when outcomes are computed from inputs (FlowSwitch cases, Fork branches) and cannot be checked statically.</summary>
    public bool HasDynamicOutcomes { get; private init; }

    /// <summary>Reads an activity class's attributes.</summary>
    /// <exception cref="ArgumentException">The class lacks <see cref="ActivityAttribute"/> or does not derive from <see cref="Activity"/>.</exception>
    public static ActivityTypeInfo Describe(Type type)
    {
        if (!typeof(Activity).IsAssignableFrom(type) || type.IsAbstract)
            throw new ArgumentException($"{type.FullName} is not a concrete activity.", nameof(type));
        var attribute = type.GetCustomAttribute<ActivityAttribute>()
            ?? throw new ArgumentException($"{type.FullName} has no [Activity] attribute.", nameof(type));

        var name = attribute.Type ?? type.Name;
        var inputs = new List<ActivityInputInfo>();
        var outputs = new List<ActivityOutputInfo>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Input<>))
                inputs.Add(new ActivityInputInfo(property, property.GetCustomAttribute<InputAttribute>() ?? new InputAttribute(), IsWrapped: true, property.PropertyType.GetGenericArguments()[0]));
            else if (property.GetCustomAttribute<InputAttribute>() is { } plain)
                inputs.Add(new ActivityInputInfo(property, plain, IsWrapped: false, property.PropertyType));
            else if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Output<>))
                outputs.Add(new ActivityOutputInfo(property, property.GetCustomAttribute<OutputAttribute>() ?? new OutputAttribute(), property.PropertyType.GetGenericArguments()[0]));
        }

        var ports = (type.GetCustomAttribute<FlowNodeAttribute>()?.Outcomes ?? [])
            .Select(o => new PortDescriptor(o, o)).ToList();
        var isTrigger = typeof(ITrigger).IsAssignableFrom(type);
        var descriptor = new ActivityDescriptor
        {
            TypeName = $"{attribute.Namespace}.{name}",
            Namespace = attribute.Namespace,
            Name = name,
            Version = attribute.Version,
            Category = type.GetCustomAttribute<CategoryAttribute>()?.Category ?? attribute.Category ?? "Miscellaneous",
            DisplayName = type.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName ?? attribute.DisplayName ?? Humanize(name),
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? attribute.Description,
            Kind = (isTrigger ? ActivityKind.Trigger : attribute.Kind).ToString(),
            Inputs = inputs.OrderBy(i => i.Attribute.Order).Select(i => i.ToDescriptor()).ToList(),
            Outputs = outputs.Select(o => o.ToDescriptor()).ToList(),
            Ports = ports,
            IsBrowsable = type.GetCustomAttribute<BrowsableAttribute>()?.Browsable ?? true,
            IsStart = typeof(IStartNode).IsAssignableFrom(type),
            IsTerminal = typeof(ITerminalNode).IsAssignableFrom(type),
        };
        return new ActivityTypeInfo(type, descriptor, inputs, outputs)
        {
            HasDynamicOutcomes = inputs.Any(i => i.Attribute.UIHint is InputUIHints.DynamicOutcomes or InputUIHints.FlowSwitchEditor),
        };
    }

    /// <summary>"FlowDecision" becomes "Flow Decision".</summary>
    internal static string Humanize(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) builder.Append(' ');
            builder.Append(name[i]);
        }
        return builder.ToString();
    }
}

/// <summary>An input property of an activity class.</summary>
/// <param name="IsWrapped">An <see cref="Input{T}"/> (an expression) rather than a plain JSON value.</param>
/// <param name="ValueType">The type the input evaluates to.</param>
public sealed record ActivityInputInfo(PropertyInfo Property, InputAttribute Attribute, bool IsWrapped, Type ValueType)
{
    public string Name => Property.Name;

    /// <summary>The property name in the activity's JSON (camelCase, as Elsa writes it).</summary>
    public string JsonName => JsonNamingPolicy.CamelCase.ConvertName(Property.Name);

    internal InputDescriptor ToDescriptor()
    {
        var options = Attribute.Options ?? (ValueType.IsEnum ? Enum.GetNames(ValueType) : null);
        var uiHint = Attribute.UIHint ?? DefaultUiHint(options);
        return new InputDescriptor
        {
            Name = Name,
            TypeName = TypeAliases.GetAlias(ValueType),
            DisplayName = Attribute.DisplayName ?? ActivityTypeInfo.Humanize(Name),
            Description = Attribute.Description,
            Order = Attribute.Order,
            IsBrowsable = Attribute.IsBrowsable,
            IsWrapped = IsWrapped,
            UiHint = uiHint,
            Category = Attribute.Category,
            DefaultValue = Attribute.DefaultValue is Enum e ? e.ToString() : Attribute.DefaultValue,
            DefaultSyntax = IsWrapped ? Attribute.DefaultSyntax ?? Model.Expression.Types.Literal : null,
            IsReadOnly = Attribute.IsReadOnly,
            IsSensitive = Attribute.CanContainSecrets,
            UiSpecifications = options is null ? null : SelectList(uiHint, options),
        };
    }

    private string DefaultUiHint(string[]? options)
    {
        if (options is not null) return InputUIHints.DropDown;
        var type = Nullable.GetUnderlyingType(ValueType) ?? ValueType;
        if (type == typeof(bool)) return InputUIHints.Checkbox;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return InputUIHints.DateTimePicker;
        if (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) return InputUIHints.MultiText;
        return InputUIHints.SingleLine;
    }

    private static Dictionary<string, object?> SelectList(string uiHint, string[] options)
    {
        var items = options.Select(o => new { text = o, value = o }).ToList();
        return uiHint switch
        {
            InputUIHints.CheckList => new() { ["checklist"] = new { checkList = new { items, isFlagsEnum = false } } },
            InputUIHints.RadioList => new() { ["radiolist"] = new { radioList = new { items } } },
            _ => new() { ["dropdown"] = new { selectList = new { items, isFlagsEnum = false } } },
        };
    }
}

/// <summary>An <see cref="Output{T}"/> property of an activity class.</summary>
public sealed record ActivityOutputInfo(PropertyInfo Property, OutputAttribute Attribute, Type ValueType)
{
    public string Name => Property.Name;
    public string JsonName => JsonNamingPolicy.CamelCase.ConvertName(Property.Name);

    internal OutputDescriptor ToDescriptor() => new()
    {
        Name = Name,
        TypeName = TypeAliases.GetAlias(ValueType),
        DisplayName = Attribute.DisplayName ?? ActivityTypeInfo.Humanize(Name),
        Description = Attribute.Description,
        IsBrowsable = Attribute.IsBrowsable,
    };
}
