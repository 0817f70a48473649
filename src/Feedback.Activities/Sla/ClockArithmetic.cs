namespace Feedback.Activities.Sla;

/// <summary>Reads a case clock on its calendar: time used, the due instant, and when a share of the target is reached.</summary>
public static class ClockArithmetic
{
    /// <summary>Working time used by <paramref name="now"/>.</summary>
    public static TimeSpan UsedBy(CaseClock clock, WorkingCalendar calendar, DateTimeOffset now) =>
        clock.State == CaseClockState.Running && now > clock.UsedAt ? clock.Used + calendar.WorkingTimeBetween(clock.UsedAt, now) : clock.Used;

    /// <summary>
    /// The instant the clock reaches <paramref name="share"/> of its target (1 = the deadline), if it keeps running;
    /// null while paused or stopped. A share already used gives the last event's instant.
    /// </summary>
    public static DateTimeOffset? Reaches(CaseClock clock, WorkingCalendar calendar, double share) =>
        ReachesUsed(clock, calendar, TimeSpan.FromTicks((long)Math.Round(clock.Target.Ticks * share)));

    /// <summary>The instant the time used reaches <paramref name="point"/> if the clock keeps running; null while paused or stopped.</summary>
    public static DateTimeOffset? ReachesUsed(CaseClock clock, WorkingCalendar calendar, TimeSpan point)
    {
        if (clock.State != CaseClockState.Running) return null;
        return point <= clock.Used ? clock.UsedAt : calendar.AddWorkingTime(clock.UsedAt, point - clock.Used);
    }

    /// <summary>
    /// The instant the clock reaches its target: the one it reached it at, once past; otherwise for a running clock
    /// its due instant, for a stopped one the instant it would have been due had it kept running, and for a paused one
    /// the instant it would be due if it ran again from <paramref name="now"/>.
    /// </summary>
    public static DateTimeOffset Deadline(CaseClock clock, WorkingCalendar calendar, DateTimeOffset now)
    {
        if (clock.Used >= clock.Target) return clock.BreachedAt ?? clock.UsedAt;
        var from = clock.State == CaseClockState.Paused && now > clock.UsedAt ? now : clock.UsedAt;
        return calendar.AddWorkingTime(from, clock.Target - clock.Used);
    }

    /// <summary>Brings the running sum to <paramref name="now"/> (the step before any event).</summary>
    public static void CatchUp(CaseClock clock, WorkingCalendar calendar, DateTimeOffset now)
    {
        clock.Used = UsedBy(clock, calendar, now);
        if (now > clock.UsedAt) clock.UsedAt = now;
    }
}
