using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Sla;

/// <summary>A change to a case's clocks that a flow asks for, written in its step's commit.</summary>
/// <param name="Within">For <see cref="SlaClockAction.Start"/>: the target (working days and hours, or calendar time).</param>
/// <param name="Department">For a working-time start: whose calendar; empty uses the case's lead department.</param>
public sealed record SlaClockCommand(string CaseNumber, SlaClockAction Action, string? Clock = null, TimeSpan? Within = null,
    SlaBasis Basis = SlaBasis.Working, string? Department = null, string? Note = null);

/// <summary>What a flow can do to a clock: start its own (or restart it), stop one, pause or resume all of the case's.</summary>
public enum SlaClockAction { Start, Stop, Pause, Resume }

/// <summary>
/// Brings a case's clocks up to date inside a caller's transaction: creates the policy clocks on first sight (started
/// at the case's receipt), applies flow commands, stops clocks whose event happened, and re-targets clocks whose
/// policy or calendar changed after freezing the time used so far (a Recomputed event). The caller saves the context
/// afterwards: only new clocks and their events are written here.
/// </summary>
internal static class CaseClockSync
{
    // Compiled once: every step that touches a case reads its clocks.
    private static readonly PerModelQuery<Func<FeedbackDbContext, string, IAsyncEnumerable<CaseClock>>> ClocksOf = new(() =>
        EF.CompileAsyncQuery((FeedbackDbContext db, string number) => db.CaseClocks.Where(c => c.CaseNumber == number)));

    /// <summary>The case-history verbs of the automatic stops that are not visible in the case itself.</summary>
    private const string CustomerNotified = "CustomerNotified";

    public static async Task SyncAsync(FeedbackDbContext db, FeedbackCase feedback, SlaSettings settings, IReadOnlyCollection<string> actions,
        IEnumerable<SlaClockCommand> commands, DateTimeOffset now, CancellationToken cancellationToken, string? checkpoint = null)
    {
        var clocks = await ClocksOf.For(db)(db, feedback.Number).ToListAsync(cancellationToken);
        var added = new List<CaseClock>();
        var events = new List<(CaseClock Clock, CaseClockEvent Event)>();
        void Record(CaseClock clock, CaseClockEventKind kind, string? note) => events.Add((clock, new CaseClockEvent
        {
            CaseNumber = clock.CaseNumber, Clock = clock.Name, At = kind == CaseClockEventKind.Started ? clock.StartedAt : now, Kind = kind,
            Used = kind == CaseClockEventKind.Started ? TimeSpan.Zero : clock.Used, Note = note,
        }));
        WorkingCalendar CalendarOf(CaseClock clock) => settings.CalendarOf(clock.CalendarId);

        // Time passes first: every running clock is measured up to now on the calendar it ran on.
        var stored = clocks.Where(c => c.State == CaseClockState.Running).ToDictionary(c => c, c => (c.Used, c.UsedAt));
        foreach (var clock in clocks.Where(c => c.State == CaseClockState.Running))
        {
            NoteBreach(clock, CalendarOf(clock), now);
            ClockArithmetic.CatchUp(clock, CalendarOf(clock), now);
        }
        // Before a calendar or policy change: the time used so far, frozen on the settings it ran on.
        if (checkpoint is not null)
            foreach (var clock in clocks.Where(c => c.State != CaseClockState.Stopped)) Record(clock, CaseClockEventKind.Recomputed, checkpoint);

        foreach (var name in SlaClockNames.All)
        {
            if (clocks.Any(c => c.Name == name) || !Applies(name, feedback)) continue;
            if (settings.Policies.TargetFor(name, feedback.Category, feedback.Severity) is not { } target) continue;
            var (calendarId, calendar) = CalendarFor(settings, target.Basis, feedback.LeadDepartment);
            var clock = new CaseClock
            {
                CaseNumber = feedback.Number, Name = name, State = CaseClockState.Running, Basis = target.Basis, CalendarId = calendarId,
                Target = target.Basis == SlaBasis.Working ? calendar.WorkingSpan(target.Within) : target.Within,
                StartedAt = feedback.ReceivedAt, UsedAt = feedback.ReceivedAt,
            };
            added.Add(clock);
            clocks.Add(clock);
            Record(clock, CaseClockEventKind.Started, $"Policy target {target.Within:c} ({target.Basis}).");
            NoteBreach(clock, calendar, now);
            ClockArithmetic.CatchUp(clock, calendar, now);
        }

        // Policy clocks follow the case: a classification picks another policy, an assignment another calendar.
        foreach (var clock in clocks.Where(c => !c.FromFlow && c.State != CaseClockState.Stopped))
        {
            if (settings.Policies.TargetFor(clock.Name, feedback.Category, feedback.Severity) is not { } target) continue;
            var (calendarId, calendar) = CalendarFor(settings, target.Basis, feedback.LeadDepartment);
            var within = target.Basis == SlaBasis.Working ? calendar.WorkingSpan(target.Within) : target.Within;
            if (within == clock.Target && calendarId == clock.CalendarId && target.Basis == clock.Basis) continue;
            Record(clock, CaseClockEventKind.Recomputed, $"Target {clock.Target:c} on {clock.CalendarId ?? "calendar time"} is now {within:c} on {calendarId ?? "calendar time"}.");
            (clock.Target, clock.CalendarId, clock.Basis) = (within, calendarId, target.Basis);
        }

        foreach (var command in commands) Apply(added, clocks, command, feedback, settings, now, Record);

        foreach (var clock in clocks.Where(c => !c.FromFlow && c.State != CaseClockState.Stopped && StopsNow(c.Name, feedback, actions)))
        {
            StopPausedAtNow(clock, now);
            clock.State = CaseClockState.Stopped;
            clock.StoppedAt = now;
            clock.PausedFor = null;
            Record(clock, CaseClockEventKind.Stopped, null);
        }

        // A clock this step left alone reads the same from its stored sum: keeping it saves an UPDATE per clock per step.
        foreach (var (clock, (used, usedAt)) in stored)
            if (clock.State == CaseClockState.Running && !events.Any(e => e.Clock == clock)) (clock.Used, clock.UsedAt) = (used, usedAt);
        foreach (var clock in clocks)
        {
            clock.DueAt = ClockArithmetic.Reaches(clock, CalendarOf(clock), 1.0);
            if (clock.State == CaseClockState.Running) NoteBreach(clock, CalendarOf(clock), now);
        }
        // The on-time rate compares the case's resolution with this instant. A paused case (waiting for the customer or
        // a supplier) has none: "now plus what is left" would go stale until the next step, counting the case due, and
        // late, in a month it was not, and listing it as overdue.
        if (clocks.FirstOrDefault(c => c.Name == SlaClockNames.Resolution && !c.FromFlow) is { } resolution)
            feedback.DueAt = resolution.State == CaseClockState.Paused ? null : ClockArithmetic.Deadline(resolution, CalendarOf(resolution), now);
        await SaveAsync(db, added, events, cancellationToken);
    }

    /// <summary>
    /// Writes what needs keys now and stages the rest for the caller's save. New clocks are written at once, so that
    /// their events can name them; on PostgreSQL new clocks and their events are one statement each (a case's first
    /// step starts six clocks and records nine events), their keys taken in advance. Without new clocks, changed clocks
    /// and events are only staged: a step's commit saves them with the case's changes, in one round trip.
    /// </summary>
    private static async Task SaveAsync(FeedbackDbContext db, List<CaseClock> added, List<(CaseClock Clock, CaseClockEvent Event)> events,
        CancellationToken cancellationToken)
    {
        var postgres = PostgresRows.Applies(db);
        if (added.Count > 0 && postgres)
        {
            var ids = await PostgresRows.NextIdsAsync<CaseClock>(db, added.Count, cancellationToken);
            for (var i = 0; i < added.Count; i++) added[i].Id = ids[i];
            await PostgresRows.InsertAsync(db, added, cancellationToken);
        }
        else if (added.Count > 0)
        {
            db.CaseClocks.AddRange(added);
            await db.SaveChangesAsync(cancellationToken);
        }
        foreach (var (clock, clockEvent) in events) clockEvent.ClockId = clock.Id;
        var rows = events.Select(e => e.Event).ToList();
        if (added.Count > 0 && postgres) await PostgresRows.InsertAsync(db, rows, cancellationToken);
        else db.CaseClockEvents.AddRange(rows);
    }

    private static void Apply(List<CaseClock> added, List<CaseClock> clocks, SlaClockCommand command, FeedbackCase feedback, SlaSettings settings,
        DateTimeOffset now, Action<CaseClock, CaseClockEventKind, string?> record)
    {
        switch (command.Action)
        {
            case SlaClockAction.Start:
            {
                var name = command.Clock ?? throw new FormatException("Starting a clock needs its name.");
                var within = command.Within ?? throw new FormatException($"Clock '{name}': starting it needs a target.");
                var (calendarId, calendar) = CalendarFor(settings, command.Basis, command.Department ?? feedback.LeadDepartment);
                var clock = clocks.FirstOrDefault(c => c.Name == name);
                if (clock is { FromFlow: false })
                    throw new InvalidOperationException($"Clock '{name}' is a policy clock; a flow can stop, pause or resume it but not start its own under that name.");
                if (clock is null)
                {
                    clock = new CaseClock { CaseNumber = feedback.Number, Name = name, FromFlow = true };
                    added.Add(clock);
                    clocks.Add(clock);
                }
                // A restart (a loop coming round again) begins a fresh measurement; the earlier one stays in the events.
                (clock.State, clock.Basis, clock.CalendarId, clock.StartedAt, clock.Used, clock.UsedAt, clock.StoppedAt, clock.BreachedAt, clock.PausedFor) =
                    (CaseClockState.Running, command.Basis, calendarId, now, TimeSpan.Zero, now, null, null, null);
                clock.Target = command.Basis == SlaBasis.Working ? calendar.WorkingSpan(within) : within;
                record(clock, CaseClockEventKind.Started, command.Note ?? $"Flow target {within:c} ({command.Basis}).");
                break;
            }
            case SlaClockAction.Stop:
                foreach (var clock in clocks.Where(c => c.Name == command.Clock && c.State != CaseClockState.Stopped))
                {
                    StopPausedAtNow(clock, now);
                    (clock.State, clock.StoppedAt, clock.PausedFor) = (CaseClockState.Stopped, now, null);
                    record(clock, CaseClockEventKind.Stopped, command.Note);
                }
                break;
            case SlaClockAction.Pause:
                foreach (var clock in clocks.Where(c => c.State == CaseClockState.Running && (command.Clock is null || c.Name == command.Clock)))
                {
                    (clock.State, clock.PausedFor) = (CaseClockState.Paused, command.Note);
                    record(clock, CaseClockEventKind.Paused, command.Note);
                }
                break;
            case SlaClockAction.Resume:
                foreach (var clock in clocks.Where(c => c.State == CaseClockState.Paused && (command.Clock is null || c.Name == command.Clock)))
                {
                    (clock.State, clock.PausedFor, clock.UsedAt) = (CaseClockState.Running, null, now);
                    record(clock, CaseClockEventKind.Resumed, command.Note);
                }
                break;
        }
    }

    /// <summary>
    /// A paused clock's sum was taken at the pause, which <see cref="CaseClock.UsedAt"/> still names. A stopped clock's
    /// deadline counts the time left from <see cref="CaseClock.UsedAt"/>, so stopping it there would date the deadline
    /// back to the pause: a case closed while waiting for the customer would count late, and due in a month already
    /// reported. The pause used no time, so the sum holds until now and the deadline runs from the stop, as it would
    /// have after a resume.
    /// </summary>
    private static void StopPausedAtNow(CaseClock clock, DateTimeOffset now)
    {
        if (clock.State == CaseClockState.Paused && now > clock.UsedAt) clock.UsedAt = now;
    }

    /// <summary>Sets <see cref="CaseClock.BreachedAt"/> the first time the clock is seen past its target.</summary>
    private static void NoteBreach(CaseClock clock, WorkingCalendar calendar, DateTimeOffset now)
    {
        if (clock.BreachedAt is not null || clock.State != CaseClockState.Running) return;
        if (ClockArithmetic.UsedBy(clock, calendar, now) >= clock.Target) clock.BreachedAt = ClockArithmetic.Reaches(clock, calendar, 1.0);
    }

    internal static (string? Id, WorkingCalendar Calendar) CalendarFor(SlaSettings settings, SlaBasis basis, string? department)
    {
        if (basis == SlaBasis.Calendar) return (null, WorkingCalendar.Continuous);
        var definition = settings.Calendars.For(department);
        return (definition.Id, definition.Calendar);
    }

    /// <summary>An anonymous customer or one without an e-mail address cannot be acknowledged, so has no such clock.</summary>
    private static bool Applies(string clock, FeedbackCase feedback) =>
        clock != SlaClockNames.Acknowledgement || (!feedback.Anonymous && !string.IsNullOrWhiteSpace(feedback.CustomerEmail));

    /// <summary>
    /// The case events that stop the policy clocks. A replied or closed case stops every clock: one closed before it was
    /// classified or assigned (flagged as malicious, withdrawn) has nothing left to measure.
    /// </summary>
    private static bool StopsNow(string clock, FeedbackCase feedback, IReadOnlyCollection<string> actions) =>
        feedback.Status is CaseStatus.Replied or CaseStatus.Closed || clock switch
    {
        SlaClockNames.Acknowledgement => actions.Contains(CustomerNotified),
        SlaClockNames.Classification => feedback.Category is not null,
        SlaClockNames.Assignment => feedback.Owner is not null,
        SlaClockNames.Plan => feedback.Status is CaseStatus.PlanSubmitted or CaseStatus.InRectification or CaseStatus.UnderReview
            or CaseStatus.AwaitingCustomer,
        _ => false,
    };
}
