using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Sla;

/// <summary>
/// When one of a case's clocks reaches its target, as a step sees the case: the stored clock (time used, pauses) held
/// to the policy of the case as the step will commit it, so a classification or an assignment made in this very step
/// counts before <see cref="CaseClockSync"/> writes it; a clock not stored yet as the sync will start it.
/// </summary>
internal static class ClockDeadlines
{
    /// <summary>The instant, or null when the clock is stopped, or is neither stored nor set by a policy for this case.</summary>
    public static async Task<DateTimeOffset?> DueAsync(FeedbackDbContext db, FeedbackCase feedback, SlaSettings settings, string clockName,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var clock = await db.CaseClocks.AsNoTracking().FirstOrDefaultAsync(c => c.CaseNumber == feedback.Number && c.Name == clockName, cancellationToken);
        if (clock is { State: CaseClockState.Stopped }) return null;
        var target = clock is { FromFlow: true } ? null : settings.Policies.TargetFor(clockName, feedback.Category, feedback.Severity);
        if (target is null) return clock is null ? null : ClockArithmetic.Deadline(clock, settings.CalendarOf(clock.CalendarId), now);

        var (calendarId, calendar) = CaseClockSync.CalendarFor(settings, target.Basis, feedback.LeadDepartment);
        clock ??= new CaseClock
        {
            CaseNumber = feedback.Number, Name = clockName, State = CaseClockState.Running, CalendarId = calendarId,
            StartedAt = feedback.ReceivedAt, UsedAt = feedback.ReceivedAt,
        };
        // The time used so far was measured on the clock's own calendar; what is left counts on the case's one now.
        if (clock.State == CaseClockState.Running) ClockArithmetic.CatchUp(clock, settings.CalendarOf(clock.CalendarId), now);
        clock.Target = target.Basis == SlaBasis.Working ? calendar.WorkingSpan(target.Within) : target.Within;
        return ClockArithmetic.Deadline(clock, calendar, now);
    }
}
