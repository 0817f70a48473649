namespace Feedback.Activities.Sla;

/// <summary>The company's calendars: one default and any number that name the departments working to them.</summary>
public sealed class WorkingCalendars
{
    private readonly Dictionary<string, CalendarDefinition> _byId;
    private readonly Dictionary<string, CalendarDefinition> _byDepartment;

    /// <exception cref="FormatException">Not exactly one default, a repeated id, or a department claimed by two calendars.</exception>
    public WorkingCalendars(IEnumerable<CalendarDefinition> calendars)
    {
        var list = calendars.ToList();
        var errors = new List<string>();
        _byId = new(StringComparer.Ordinal);
        _byDepartment = new(StringComparer.Ordinal);
        foreach (var calendar in list)
        {
            if (!_byId.TryAdd(calendar.Id, calendar)) errors.Add($"Calendar '{calendar.Id}' is defined twice.");
            foreach (var department in calendar.Departments)
                if (!_byDepartment.TryAdd(department, calendar))
                    errors.Add($"Department '{department}' is in calendars '{_byDepartment[department].Id}' and '{calendar.Id}'; a department works to one calendar.");
        }
        var defaults = list.Where(c => c.IsDefault).Select(c => c.Id).ToList();
        if (defaults.Count != 1)
            errors.Add(defaults.Count == 0
                ? "No calendar is the default; mark one with \"default\": true."
                : $"Only one calendar can be the default; {string.Join(", ", defaults)} all say \"default\": true.");
        if (errors.Count > 0) throw new FormatException(string.Join(" ", errors));
        Default = _byId[defaults[0]];
    }

    /// <summary>The calendar of departments that no calendar names.</summary>
    public CalendarDefinition Default { get; }

    public IReadOnlyCollection<CalendarDefinition> All => _byId.Values;

    /// <summary>The calendar a department works to; the default for an unknown or empty department.</summary>
    public CalendarDefinition For(string? department) =>
        department is not null && _byDepartment.TryGetValue(department, out var calendar) ? calendar : Default;

    public CalendarDefinition? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Every <c>*.json</c> file of a folder, each named by its file name.</summary>
    /// <exception cref="FormatException">A file is not a valid calendar (the message names it), or the set is inconsistent.</exception>
    public static WorkingCalendars LoadFolder(string folder)
    {
        var definitions = new List<CalendarDefinition>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            try { definitions.Add(WorkingCalendarFile.Read(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file))); }
            catch (FormatException e) { throw new FormatException($"{Path.GetFileName(file)}: {e.Message}", e); }
        }
        return new WorkingCalendars(definitions);
    }
}
