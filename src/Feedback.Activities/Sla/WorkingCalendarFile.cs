using System.Text.Json;

namespace Feedback.Activities.Sla;

/// <summary>
/// The calendar file format admins edit (JSON):
/// <code>
/// { "name": "Head office", "timeZone": "Asia/Shanghai",
///   "week": { "Monday": ["09:00-12:00", "13:30-18:00"], ... },
///   "holidays": ["2026-10-01"],
///   "workingDays": { "2026-10-10": ["09:00-12:00", "13:30-18:00"] },
///   "default": true, "departments": ["quality", "customer-service"] }
/// </code>
/// <c>timeZone</c> is an IANA id; <c>workingDays</c> are extra working days (adjusted weekends) with their hours;
/// <c>default</c> marks the calendar of departments no calendar names; <c>departments</c> lists the department ids
/// that work to this calendar. A calendar's id is its file name without <c>.json</c>.
/// </summary>
public static class WorkingCalendarFile
{
    private sealed record Document(string? Name, string? TimeZone, Dictionary<string, List<string>>? Week, List<string>? Holidays,
        Dictionary<string, List<string>>? WorkingDays, bool? Default, List<string>? Departments);

    /// <summary>The calendar only.</summary>
    /// <exception cref="FormatException">The file is not a valid calendar; the message lists every problem.</exception>
    public static WorkingCalendar Parse(string json) => Read("calendar", json).Calendar;

    /// <summary>The calendar with its id, whether it is the default, and the departments it is for.</summary>
    /// <exception cref="FormatException">The file is not a valid calendar; the message lists every problem.</exception>
    public static CalendarDefinition Read(string id, string json)
    {
        Document document;
        try { document = JsonSerializer.Deserialize<Document>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip }) ?? throw new FormatException("The calendar file is empty."); }
        catch (JsonException e) { throw new FormatException($"The calendar file is not valid JSON: {e.Message}", e); }

        var errors = new List<string>();
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(document.TimeZone)) errors.Add("timeZone: required (an IANA id such as Asia/Shanghai).");
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(document.TimeZone, out var found)) errors.Add($"timeZone: '{document.TimeZone}' is not a known time zone.");
        else zone = found;

        var week = new Dictionary<DayOfWeek, IReadOnlyList<WorkingInterval>>();
        foreach (var (day, intervals) in document.Week ?? [])
        {
            if (!Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var weekday)) { errors.Add($"week: '{day}' is not a weekday."); continue; }
            week[weekday] = Intervals($"week.{day}", intervals, errors);
        }
        var holidays = new HashSet<DateOnly>();
        foreach (var text in document.Holidays ?? [])
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date)) holidays.Add(date);
            else errors.Add($"holidays: '{text}' is not a date (yyyy-MM-dd).");
        var extra = new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>>();
        foreach (var (text, intervals) in document.WorkingDays ?? [])
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date)) extra[date] = Intervals($"workingDays.{text}", intervals, errors);
            else errors.Add($"workingDays: '{text}' is not a date (yyyy-MM-dd).");
        if (week.Count == 0 && extra.Count == 0) errors.Add("week: at least one working day is required.");
        if (errors.Count > 0) throw new FormatException(string.Join(" ", errors));
        var departments = (document.Departments ?? []).Select(d => d?.Trim() ?? "").ToList();
        if (departments.Any(d => d.Length == 0)) throw new FormatException("departments: a department id cannot be empty.");
        try { return new CalendarDefinition(id, new WorkingCalendar(document.Name ?? id, zone, week, holidays, extra), document.Default == true, departments); }
        catch (FormatException e) { throw new FormatException(e.Message, e); }
    }

    private static List<WorkingInterval> Intervals(string where, List<string> texts, List<string> errors)
    {
        var result = new List<WorkingInterval>();
        foreach (var text in texts)
            try { result.Add(WorkingInterval.Parse(text)); }
            catch (FormatException e) { errors.Add($"{where}: {e.Message}"); }
        return result;
    }
}

/// <summary>A calendar as an admin keeps it: its id (the file name), whether it is the default, and its departments.</summary>
public sealed record CalendarDefinition(string Id, WorkingCalendar Calendar, bool IsDefault, IReadOnlyList<string> Departments);
