using System.Globalization;
using System.Text.RegularExpressions;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Activities.Tasks;

/// <summary>
/// When work is due: the earliest of a span from now, a date the flow knows (the plan's deadline) and an SLA clock's
/// target. <see cref="StaffTask"/> dues its tasks by it, and <see cref="Notification.NotifyCustomer"/> promises the
/// customer the same date, so the two cannot disagree.
/// </summary>
/// <param name="Within">A span from now; with <paramref name="InWorkingTime"/>, counted on the department's calendar.</param>
/// <param name="By">A date (yyyy-MM-dd: the end of that day on the department's calendar) or a date and time; one already past is left out.</param>
/// <param name="WithSla">An SLA clock of the case (Plan, Resolution...) the work may not outlast; a stopped or past clock is left out.</param>
public sealed record TaskDue(TimeSpan? Within, bool InWorkingTime, string? By, string? WithSla)
{
    /// <summary>Checks <see cref="By"/> before anything is read; the message names the input it came from.</summary>
    /// <exception cref="FormatException">By is neither a date nor a date and time.</exception>
    public void Validate(string byInput)
    {
        if (Within < TimeSpan.Zero) throw new FormatException($"The span {Within} is negative.");
        if (By is not null) Parse(By, TimeZoneInfo.Utc, byInput);
    }

    /// <summary>
    /// The due time for work on case <paramref name="caseNumber"/> by <paramref name="department"/> (whose calendar
    /// counts working time and dates); null when nothing sets one.
    /// </summary>
    public async Task<DateTimeOffset?> ComputeAsync(ActivityExecutionContext context, string? caseNumber, string? department, DateTimeOffset now, string byInput)
    {
        DateTimeOffset? due = Within is { } span ? now + span : null;
        // The calendar only when something is counted on it: a plain span needs no SLA settings.
        if ((Within is not null && InWorkingTime) || By is not null)
        {
            var calendar = await CalendarAsync(context, department);
            if (Within is { } working && InWorkingTime) due = calendar.AddWorkingTime(now, calendar.WorkingSpan(working));
            // A date already past (a rework after the plan's deadline, a typo) would make the work overdue at once: the span counts then.
            if (By is not null && Parse(By, calendar.TimeZone, byInput) is var by && by > now && (due is null || by < due)) due = by;
        }
        if (WithSla is { } clockName && caseNumber is not null
            && await SlaDueAsync(context, caseNumber, clockName) is { } sla && sla > now && (due is null || sla < due))
            due = sla;
        return due;
    }

    /// <summary>The working calendar of <paramref name="department"/> (the default calendar for none).</summary>
    public static async Task<Sla.WorkingCalendar> CalendarAsync(ActivityExecutionContext context, string? department) =>
        (await context.Services.GetRequiredService<Sla.SlaSettingsService>().GetAsync(context.CancellationToken)).Calendars.For(department).Calendar;

    /// <summary>The calendar day <paramref name="due"/> falls on in <paramref name="zone"/> (the end of a day counts as that day), e.g. 2026-12-03.</summary>
    public static string Day(DateTimeOffset due, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(due.AddTicks(-1), zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text, TimeZoneInfo zone, string input)
    {
        var culture = CultureInfo.InvariantCulture;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", culture, DateTimeStyles.None, out var day))
            return InZone(day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
        var match = Regex.Match(text, @"^(?<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(?<offset>Z|[+-]\d{2}:\d{2})?$");
        if (match.Success && match.Groups["offset"].Success && DateTimeOffset.TryParse(text, culture, DateTimeStyles.None, out var instant))
            return instant.ToUniversalTime(); // stored as UTC
        if (match.Success && DateTime.TryParse(match.Groups["local"].Value, culture, DateTimeStyles.None, out var local))
            return InZone(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        throw new FormatException($"Input '{input}': '{text}' is neither a date (yyyy-MM-dd) nor a date and time (2026-11-30T18:00, with or without an offset).");
    }

    private static DateTimeOffset InZone(DateTime local, TimeZoneInfo zone) => new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();

    /// <summary>When the case's clock reaches its target, as this step will commit the case (its category, severity and department).</summary>
    private static async Task<DateTimeOffset?> SlaDueAsync(ActivityExecutionContext context, string caseNumber, string clockName)
    {
        if (await context.Services.GetRequiredService<Cases.CaseService>().FindForStepAsync(caseNumber, context) is not { } feedback) return null;
        var settings = await context.Services.GetRequiredService<Sla.SlaSettingsService>().GetAsync(context.CancellationToken);
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<Persistence.FeedbackDbContext>>().CreateDbContextAsync(context.CancellationToken);
        return await Sla.ClockDeadlines.DueAsync(db, feedback, settings, clockName, context.Now, context.CancellationToken);
    }
}
