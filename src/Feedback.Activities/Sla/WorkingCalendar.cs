namespace Feedback.Activities.Sla;

/// <summary>
/// Working time of a company or department: hours per weekday (several intervals a day for lunch breaks and split
/// shifts), a time zone, holidays, and extra working days (such as China's adjusted working weekends). Intervals
/// are local wall-clock times, so daylight-saving changes are handled day by day.
/// </summary>
public sealed class WorkingCalendar
{
    /// <summary>How far ahead arithmetic looks before deciding the calendar has no working time at all.</summary>
    private const int MaxDaysScanned = 3 * 366;

    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<WorkingInterval>> _week;
    private readonly IReadOnlySet<DateOnly> _holidays;
    private readonly IReadOnlyDictionary<DateOnly, IReadOnlyList<WorkingInterval>> _extraDays;

    public WorkingCalendar(
        string name,
        TimeZoneInfo timeZone,
        IReadOnlyDictionary<DayOfWeek, IReadOnlyList<WorkingInterval>> week,
        IReadOnlySet<DateOnly>? holidays = null,
        IReadOnlyDictionary<DateOnly, IReadOnlyList<WorkingInterval>>? extraWorkingDays = null)
    {
        Name = name;
        TimeZone = timeZone;
        _week = week;
        _holidays = holidays ?? new HashSet<DateOnly>();
        _extraDays = extraWorkingDays ?? new Dictionary<DateOnly, IReadOnlyList<WorkingInterval>>();
        foreach (var (day, intervals) in week.Select(kv => (kv.Key.ToString(), kv.Value)).Concat(_extraDays.Select(kv => (kv.Key.ToString("O"), kv.Value))))
            WorkingInterval.CheckOrdered(day, intervals);
    }

    public string Name { get; }
    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// The working time of one working day, used to turn "N working days" into working time: the longest weekday's
    /// hours (7.5 hours for 09:00-12:00 and 13:30-18:00). A calendar with no weekly hours uses its longest extra day.
    /// </summary>
    public TimeSpan StandardDay => _week.Values.Concat(_extraDays.Values).Select(Length).DefaultIfEmpty(TimeSpan.Zero).Max();

    /// <summary>
    /// A span as working time: its whole days count as <see cref="StandardDay"/>s, the rest as working hours.
    /// <c>2.04:00:00</c> is two working days and four working hours.
    /// </summary>
    public TimeSpan WorkingSpan(TimeSpan daysAndHours)
    {
        if (daysAndHours < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(daysAndHours), "A working span cannot be negative.");
        return StandardDay * daysAndHours.Days + (daysAndHours - TimeSpan.FromDays(daysAndHours.Days));
    }

    /// <summary>A calendar in which every instant is working time: deadlines in calendar (wall-clock) time.</summary>
    public static WorkingCalendar Continuous { get; } = new("Calendar time", TimeZoneInfo.Utc,
        Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => (IReadOnlyList<WorkingInterval>)[new WorkingInterval(TimeOnly.MinValue, TimeOnly.MinValue)]));

    private static TimeSpan Length(IReadOnlyList<WorkingInterval> intervals) =>
        intervals.Aggregate(TimeSpan.Zero, (sum, i) => sum + (i.End > i.Start ? i.End - i.Start : TimeSpan.FromDays(1) - (i.Start - i.End)));

    /// <summary>The working intervals of a local date: an extra working day's, none on a holiday, else the weekday's.</summary>
    public IReadOnlyList<WorkingInterval> IntervalsOn(DateOnly date) =>
        _extraDays.TryGetValue(date, out var extra) ? extra
        : _holidays.Contains(date) ? []
        : _week.TryGetValue(date.DayOfWeek, out var normal) ? normal : [];

    /// <summary>The instant when <paramref name="amount"/> of working time has passed after <paramref name="start"/>.</summary>
    /// <exception cref="InvalidOperationException">The calendar has no working time within three years.</exception>
    public DateTimeOffset AddWorkingTime(DateTimeOffset start, TimeSpan amount)
    {
        if (amount < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(amount), "Working time to add cannot be negative.");
        var remaining = amount;
        foreach (var (from, to) in PeriodsFrom(start))
        {
            var begin = from > start ? from : start;
            if (to <= begin) continue;
            var available = to - begin;
            if (available >= remaining) return begin + remaining;
            remaining -= available;
        }
        throw new InvalidOperationException($"Calendar '{Name}' has no working time in the {MaxDaysScanned} days after {start:O}.");
    }

    /// <summary>Working time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        if (to <= from) return total;
        foreach (var (begin, end) in PeriodsFrom(from))
        {
            if (begin >= to) break;
            var s = begin > from ? begin : from;
            var e = end < to ? end : to;
            if (e > s) total += e - s;
        }
        return total;
    }

    /// <summary>True when <paramref name="instant"/> falls inside working hours.</summary>
    public bool IsWorkingTime(DateTimeOffset instant)
    {
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);
        return Periods(local).Any(p => p.From <= instant && instant < p.To);
    }

    /// <summary>Working periods as UTC instants, day by day from the local date of <paramref name="start"/>.</summary>
    private IEnumerable<(DateTimeOffset From, DateTimeOffset To)> PeriodsFrom(DateTimeOffset start)
    {
        // Begin a day early: an overnight shift that started yesterday may still be running.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, TimeZone).DateTime).AddDays(-1);
        for (var i = 0; i <= MaxDaysScanned; i++, day = day.AddDays(1))
            foreach (var period in Periods(day))
                if (period.To > start) yield return period;
    }

    private IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Periods(DateOnly day)
    {
        foreach (var interval in IntervalsOn(day))
        {
            var from = ToInstant(day, interval.Start);
            var to = interval.End > interval.Start ? ToInstant(day, interval.End) : ToInstant(day.AddDays(1), interval.End);
            if (to > from) yield return (from, to);
        }
    }

    /// <summary>A local wall-clock time as an instant; a time skipped by a daylight-saving jump moves to the jump's end.</summary>
    private DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (TimeZone.IsInvalidTime(local)) local = local.AddMinutes(1);
        // In a repeated hour (clocks set back) the first occurrence is the one that happens.
        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

/// <summary>One stretch of working time in local wall-clock time; an end at or before the start runs past midnight.</summary>
public readonly record struct WorkingInterval(TimeOnly Start, TimeOnly End)
{
    /// <summary>Parses <c>09:00-12:00</c>.</summary>
    /// <exception cref="FormatException">Not two times separated by a dash.</exception>
    public static WorkingInterval Parse(string text)
    {
        var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !TimeOnly.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var start)
            || !TimeOnly.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var end))
            throw new FormatException($"'{text}' is not a working interval; write it like 09:00-12:00.");
        if (start == end) throw new FormatException($"'{text}' is empty; a working interval needs an end after its start.");
        return new WorkingInterval(start, end);
    }

    internal static void CheckOrdered(string day, IReadOnlyList<WorkingInterval> intervals)
    {
        for (var i = 1; i < intervals.Count; i++)
            if (intervals[i].Start < intervals[i - 1].End && intervals[i - 1].End > intervals[i - 1].Start)
                throw new FormatException($"{day}: working intervals must be in order and must not overlap ({intervals[i - 1].Start:HH\\:mm}-{intervals[i - 1].End:HH\\:mm} and {intervals[i].Start:HH\\:mm}-{intervals[i].End:HH\\:mm}).");
    }
}
