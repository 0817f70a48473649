using System.Globalization;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Escalation;
using Feedback.Activities.Notification;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Activities.Cases.CaseInputs;

namespace Feedback.Activities.Sla;

/// <summary>
/// A deadline beside a task: it watches a case clock (a policy clock, or its own started with <see cref="Within"/>),
/// records warnings at shares of the target, and on breach escalates the case one level at a time until
/// <see cref="EscalateUpTo"/>, then completes <c>Breached</c>. Put it on a fork branch next to the task and join both
/// with a WaitAny join: whichever finishes first cancels the other. Its timers are durable (Quartz), and it re-reads the
/// clock each time one fires, so pauses, resumes and policy or calendar changes move it.
/// </summary>
[Activity("Feedback", "Feedback",
    "Watches a case's SLA clock: warns at shares of the target, escalates one level at a time after a breach, and completes Breached when the last level is reached, or Met if the clock stops in time. Use it beside a task with a WaitAny join.",
    DisplayName = "SLA Deadline", Kind = ActivityKind.Task)]
[FlowNode(Outcomes.Met, Outcomes.Breached, Outcomes.NoTarget)]
public sealed class SlaDeadline(CaseService cases, DirectoryService directory, SlaSettingsService settings, IDbContextFactory<FeedbackDbContext> dbFactory) : Activity
{
    /// <summary>
    /// A point counts as reached this close to it: PostgreSQL keeps microseconds, so an instant read back can be a few
    /// ticks short of the one computed. Small enough that nothing fires noticeably early.
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1);

    /// <summary>The ports.</summary>
    public static class Outcomes
    {
        /// <summary>The clock stopped before its target ran out.</summary>
        public const string Met = "Met";
        /// <summary>The target ran out and the case was escalated up to <see cref="EscalateUpTo"/>.</summary>
        public const string Breached = "Breached";
        /// <summary>The case has no such clock: no policy sets a target for it.</summary>
        public const string NoTarget = "NoTarget";
    }

    /// <summary>The bookmark name of its timers and of its wait while the clock is paused.</summary>
    public const string Stimulus = "Feedback.SlaDeadline";

    [Input(Description = "The clock: a policy clock (Acknowledgement, Classification, Assignment, Plan, Resolution, Reply), or a name of your own when Within is set.",
        UIHint = InputUIHints.DropDown, Options = [SlaClockNames.Acknowledgement, SlaClockNames.Classification, SlaClockNames.Assignment, SlaClockNames.Plan, SlaClockNames.Resolution, SlaClockNames.Reply],
        DefaultValue = SlaClockNames.Resolution, Order = 0)]
    public Input<string> Clock { get; set; } = default!;

    [Input(Description = "This deadline's own target (d.hh:mm:ss; days are working days in working time): starts the clock named in Clock when the activity starts. Empty watches the policy clock.", Order = 1)]
    public Input<TimeSpan?> Within { get; set; } = default!;

    [Input(Description = "Count Within in calendar time (every minute) instead of working time on the department's calendar.", Order = 2)]
    public Input<bool> CalendarTime { get; set; } = default!;

    [Input(Description = "The department whose calendar Within counts on and whose head is level 1; empty uses the case's lead department. With a department, the first escalation asks its head even when the case is already at a higher level, the next ones the levels above; without, each escalation raises the case one level from where it is.", Order = 3)]
    public Input<string?> Department { get; set; } = default!;

    [Input(Description = "Warnings before the breach, in percent of the target, e.g. 50, 80.", DefaultValue = "50, 80", Order = 4)]
    public Input<string?> WarnAt { get; set; } = default!;

    [Input(Description = "The highest escalation level to go to after a breach, one level at a time: 0 none, 1 department head, 2 complaint desk manager, 3 management.", DefaultValue = 3, Order = 5)]
    public Input<int?> EscalateUpTo { get; set; } = default!;

    [Input(Description = "Time between escalation levels after the breach (d.hh:mm:ss, counted like the clock).", DefaultValue = "04:00:00", Order = 6)]
    public Input<TimeSpan?> EscalationInterval { get; set; } = default!;

    [Input(Description = "Why the case is escalated, for the history and the mail; empty says which target ran out.", UIHint = InputUIHints.MultiLine, Order = 7)]
    public Input<string?> Reason { get; set; } = default!;

    [Input(Description = "The case; empty means the instance's correlation id.", Category = "Advanced", Order = 8)]
    public Input<string?> CaseNumber { get; set; } = default!;

    [Output(Description = "The escalation level the case reached through this deadline (0 when it did not escalate).")]
    public Output<int> ReachedLevel { get; set; } = default!;

    protected override async ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        var number = CaseInputs.Number(context, CaseNumber);
        var clock = Blank(context.Get(Clock)) ?? throw new FormatException("Input 'Clock': name the clock to watch.");
        if (clock.Length > 64) throw new FormatException("Input 'Clock': at most 64 characters.");
        var warnings = ParseWarnings(context.Get(WarnAt));
        var upTo = context.Get(EscalateUpTo) ?? EscalationLevels.Top;
        if (upTo is < EscalationLevels.None or > EscalationLevels.Top)
            throw new FormatException($"Input 'EscalateUpTo': {upTo} is not a level; use 0 to 3.");
        var interval = context.Get(EscalationInterval) ?? TimeSpan.FromHours(4);
        if (interval < TimeSpan.Zero) throw new FormatException($"Input 'EscalationInterval': {interval} is negative.");

        var within = context.Get(Within);
        if (within is { } target)
        {
            if (target <= TimeSpan.Zero) throw new FormatException($"Input 'Within': {target} must be positive.");
            if (SlaClockNames.All.Contains(clock))
                throw new FormatException($"Input 'Clock': '{clock}' is a policy clock; give this deadline's own clock another name, or leave Within empty to watch the policy clock.");
            context.Enlist(new SlaClockCommand(number, SlaClockAction.Start, clock, target, context.Get(CalendarTime) ? SlaBasis.Calendar : SlaBasis.Working,
                Blank(context.Get(Department)), $"Started by {context.Node.DisplayName}."));
        }
        var state = context.Properties;
        state["case"] = number;
        state["clock"] = clock;
        state["own"] = within is not null;
        state["warnAt"] = new JsonArray(warnings.Select(w => (JsonNode?)w).ToArray());
        state["upTo"] = upTo;
        state["interval"] = interval.ToString("c", CultureInfo.InvariantCulture);
        state["department"] = Blank(context.Get(Department));
        state["reason"] = Blank(context.Get(Reason));
        state["warned"] = 0;
        state["escalations"] = 0;
        // The clock itself is written by this step's commit, so it is read when the first timer fires.
        Arm(context, await FirstCheckAsync(context, number, clock, within, context.Get(CalendarTime) ? SlaBasis.Calendar : SlaBasis.Working, warnings));
    }

    /// <summary>
    /// The earliest instant the clock can reach its first warning (or its target): its start plus the shortest target it
    /// can have on any calendar, since working time never runs faster than wall-clock time. Waking right after the commit
    /// instead cost every case a timer stored, fired and resumed at intake. Waking early is harmless: the clock is read
    /// and the next timer set from it. Without any target it wakes now and completes NoTarget.
    /// </summary>
    private async Task<DateTimeOffset> FirstCheckAsync(ActivityExecutionContext context, string number, string clock, TimeSpan? within, SlaBasis basis,
        IReadOnlyList<int> warnings)
    {
        var now = context.Now;
        var sla = await settings.GetAsync(context.CancellationToken);
        IEnumerable<(TimeSpan Within, SlaBasis Basis)> targets = within is { } own
            ? [(own, basis)]
            : sla.Policies.Policies.SelectMany(p => p.Targets).Where(t => t.Clock == clock).Select(t => (t.Within, t.Basis));
        var calendars = sla.Calendars.All.Select(c => c.Calendar).Append(sla.Calendars.Default.Calendar).ToList();
        var shortest = targets.Select(t => t.Basis == SlaBasis.Calendar ? t.Within : calendars.Min(c => c.WorkingSpan(t.Within)))
            .Cast<TimeSpan?>().Min();
        if (shortest is not { } target) return now;
        // A policy clock runs from the case's receipt, which may lie in the past (feedback entered later by staff).
        DateTimeOffset start = now;
        if (within is null)
        {
            if (await cases.FindForStepAsync(number, context) is not { } feedback) return now;
            start = feedback.ReceivedAt;
        }
        var first = start + target * ((warnings.Count > 0 ? warnings.Min() : 100) / 100.0);
        return first > now ? first : now;
    }

    protected override async ValueTask ResumeAsync(ActivityExecutionContext context)
    {
        var state = context.Properties;
        var number = (string)state["case"]!;
        var name = (string)state["clock"]!;
        var sla = await settings.GetAsync(context.CancellationToken);
        CaseClock? clock;
        await using (var db = await dbFactory.CreateDbContextAsync(context.CancellationToken))
            clock = await db.CaseClocks.AsNoTracking().FirstOrDefaultAsync(c => c.CaseNumber == number && c.Name == name, context.CancellationToken);
        if (clock is null)
        {
            context.AddJournal("SlaNoTarget", $"Case {number} has no {name} clock: no policy sets a target for it.");
            context.Complete(Outcomes.NoTarget);
            return;
        }
        var escalations = (int)state["escalations"]!;
        if (clock.State == CaseClockState.Stopped)
        {
            context.Complete(clock.BreachedAt is null && escalations == 0 ? Outcomes.Met : Outcomes.Breached);
            return;
        }
        if (clock.State == CaseClockState.Paused)
        {
            // No timer while paused: resuming the case's clocks wakes this bookmark (SlaClockService).
            context.CreateBookmark(new BookmarkRequest(Stimulus, Payload(number, name), IncludeActivityInstanceId: true));
            return;
        }

        var calendar = sla.CalendarOf(clock.CalendarId);
        var now = context.Now;
        var warnAt = state["warnAt"]!.AsArray().Select(w => (int)w!).ToList();
        var interval = clock.Basis == SlaBasis.Working ? calendar.WorkingSpan(TimeSpan.Parse((string)state["interval"]!, CultureInfo.InvariantCulture))
            : TimeSpan.Parse((string)state["interval"]!, CultureInfo.InvariantCulture);
        var upTo = (int)state["upTo"]!;
        ClockArithmetic.CatchUp(clock, calendar, now); // a detached copy: measured up to now, nothing is written
        var used = clock.Used + Slack;

        foreach (var percent in warnAt.Where(p => p > (int)state["warned"]! && used >= clock.Target * (p / 100.0)))
        {
            await WarnAsync(context, clock, percent, calendar);
            state["warned"] = percent;
        }
        // Escalation k (1-based) is due when the time used reaches the target plus k-1 intervals, but one level at a
        // time: when several are due at once, each next level gets its interval from now to act on the last.
        var reached = 0;
        if (used >= clock.Target + interval * escalations && escalations < Math.Max(upTo, 1))
        {
            if (escalations == 0)
                context.Enlist(new CaseChange(number, "SlaBreached", $"{name}: the target of {Describe(clock.Target)} ran out at {Local(clock.BreachedAt ?? now - (clock.Used - clock.Target), calendar)}.", _ => { }));
            if (upTo == EscalationLevels.None) escalations = 1;
            else
            {
                var reason = (string?)state["reason"] ?? $"The {name} target of {Describe(clock.Target)} has run out ({Describe(clock.Used - clock.Target)} over).";
                // A deadline of its own department (development's answer) climbs that department's chain from its head,
                // one level per escalation of this deadline, whatever earlier deadlines or rounds raised the case to: it
                // asks those who can act on this work, and the case's level never goes down. Without one it raises the
                // case from where it is.
                var department = (string?)state["department"];
                var raised = department is null
                    ? await Escalate.RaiseAsync(context, cases, directory, number, reason, Escalate.DefaultActor, null, null)
                    : await Escalate.RaiseAsync(context, cases, directory, number, reason, Escalate.DefaultActor,
                        Math.Min(escalations + 1, EscalationLevels.Top), department, askLevel: true);
                reached = raised.Level;
                escalations = raised.AtTop || raised.Level >= upTo ? Math.Max(upTo, 1) : escalations + 1;
            }
        }
        state["escalations"] = escalations;
        if (reached > 0) context.Set(ReachedLevel, reached);
        if (escalations >= Math.Max(upTo, 1))
        {
            if ((bool)state["own"]!) context.Enlist(new SlaClockCommand(number, SlaClockAction.Stop, name, Note: "Breached; escalated."));
            context.Complete(Outcomes.Breached);
            return;
        }

        var nextEscalation = clock.Target + interval * escalations;
        // Already due: a level was just raised late, and the next waits one interval from now.
        if (nextEscalation <= used) nextEscalation = clock.Used + interval;
        var next = warnAt.Where(p => p > (int)state["warned"]!).Select(p => clock.Target * (p / 100.0))
            .Append(nextEscalation).Min();
        Arm(context, ClockArithmetic.ReachesUsed(clock, calendar, next) ?? now);
    }

    protected override ValueTask CancelAsync(ActivityExecutionContext context)
    {
        // The task beside it finished first: its own clock stops here; a policy clock stops on the case's own events.
        if (context.Properties["own"] is JsonValue own && (bool)own)
            context.Enlist(new SlaClockCommand((string)context.Properties["case"]!, SlaClockAction.Stop, (string)context.Properties["clock"]!, Note: "Met: the task finished first."));
        return ValueTask.CompletedTask;
    }

    private static void Arm(ActivityExecutionContext context, DateTimeOffset at) =>
        context.CreateBookmark(new BookmarkRequest(Stimulus, Payload((string)context.Properties["case"]!, (string)context.Properties["clock"]!), at, IncludeActivityInstanceId: true));

    private static JsonObject Payload(string number, string clock) => new() { ["Case"] = number, ["Clock"] = clock };

    /// <summary>The template of the owner's warning mail, in the staff language.</summary>
    public const string WarningTemplate = "sla-warning";

    /// <summary>A history line, a journal line and a mail to the owner (when the directory can reach them).</summary>
    private async Task WarnAsync(ActivityExecutionContext context, CaseClock clock, int percent, WorkingCalendar calendar)
    {
        var due = ClockArithmetic.ReachesUsed(clock, calendar, clock.Target) ?? context.Now;
        var left = clock.Target > clock.Used ? clock.Target - clock.Used : TimeSpan.Zero;
        var text = $"{clock.Name}: {percent}% of {Describe(clock.Target)} used; {Describe(left)} left, due {Local(due, calendar)}.";
        context.Enlist(new CaseChange(clock.CaseNumber, "SlaWarning", text, _ => { }));
        context.AddJournal("SlaWarning", text, new JsonObject { ["clock"] = clock.Name, ["percent"] = percent });
        var feedback = await cases.FindForStepAsync(clock.CaseNumber, context);
        if (feedback?.Owner is not { } owner) return;
        var person = (await directory.GetAsync(context.CancellationToken)).Staff.FirstOrDefault(s => s.UserName == owner);
        if (person is not { Active: true, Email.Length: > 0 }) return;
        var model = new JsonObject
        {
            ["Case"] = new JsonObject { ["Number"] = clock.CaseNumber },
            ["Clock"] = clock.Name, ["Percent"] = percent, ["Target"] = Describe(clock.Target), ["Left"] = Describe(left), ["Due"] = Local(due, calendar),
        };
        context.AddOutboxMessage(NotifyCustomer.EmailOutboxType,
            context.Services.GetRequiredService<MessageTemplates>().StaffMail(WarningTemplate, person, model, clock.CaseNumber, "SlaWarning", context.Now));
    }

    /// <exception cref="FormatException">Not a list of percentages between 1 and 99.</exception>
    internal static List<int> ParseWarnings(string? text)
    {
        var result = new SortedSet<int>();
        foreach (var part in (text ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part.TrimEnd('%'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) || percent is < 1 or > 99)
                throw new FormatException($"Input 'WarnAt': '{part}' is not a percentage between 1 and 99.");
            result.Add(percent);
        }
        return result.ToList();
    }

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min" : $"{Math.Max(0, (int)Math.Ceiling(span.TotalMinutes))} min";

    private static string Local(DateTimeOffset instant, WorkingCalendar calendar)
    {
        var zone = calendar == WorkingCalendar.Continuous ? TimeZoneInfo.Utc : calendar.TimeZone;
        return TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
    }
}
