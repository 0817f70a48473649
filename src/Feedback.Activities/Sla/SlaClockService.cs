using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Sla;

/// <summary>A case clock as staff see it: target, time used and left, paused state and breach, at one instant.</summary>
public sealed record CaseClockView(
    string Name, CaseClockState State, SlaBasis Basis, string? Calendar, TimeSpan Target, TimeSpan Used, TimeSpan Left,
    bool Paused, string? PausedFor, DateTimeOffset StartedAt, DateTimeOffset? DueAt, DateTimeOffset? StoppedAt, bool Breached,
    DateTimeOffset? BreachedAt, TimeSpan Overrun);

/// <summary>
/// Case clocks outside a workflow step: pausing and resuming a case's clocks (waiting for the customer or a supplier),
/// reading them, and changing calendars or policies, which re-targets every open clock without losing the time it used.
/// </summary>
public sealed class SlaClockService(
    IDbContextFactory<FeedbackDbContext> dbFactory,
    IDbContextFactory<WorkflowDbContext> workflowDbFactory,
    SlaSettingsService settings,
    WorkflowRuntime runtime,
    IClock clock,
    ILogger<SlaClockService> logger)
{
    /// <summary>The resume input that tells a waiting <see cref="SlaDeadline"/> to look at its clock again.</summary>
    public const string RecheckInputKey = "SlaRecheck";

    /// <summary>The case's clocks now, in policy order then by name.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public async Task<IReadOnlyList<CaseClockView>> ClocksAsync(string number, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Cases.AnyAsync(c => c.Number == number, cancellationToken)) throw new KeyNotFoundException($"No case {number}.");
        var clocks = await db.CaseClocks.AsNoTracking().Where(c => c.CaseNumber == number).ToListAsync(cancellationToken);
        var sla = await settings.GetAsync(cancellationToken);
        var now = clock.UtcNow;
        return clocks
            .OrderBy(c => SlaClockNames.All.Contains(c.Name) ? SlaClockNames.All.ToList().IndexOf(c.Name) : int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => View(c, sla.CalendarOf(c.CalendarId), now)).ToList();
    }

    /// <summary>The view of one clock at <paramref name="now"/>.</summary>
    public static CaseClockView View(CaseClock c, WorkingCalendar calendar, DateTimeOffset now)
    {
        var used = ClockArithmetic.UsedBy(c, calendar, now);
        var breachedAt = c.BreachedAt ?? (used >= c.Target ? ClockArithmetic.Reaches(c, calendar, 1.0) : null);
        return new CaseClockView(c.Name, c.State, c.Basis, c.CalendarId, c.Target, used, used < c.Target ? c.Target - used : TimeSpan.Zero,
            c.State == CaseClockState.Paused, c.PausedFor, c.StartedAt, c.DueAt, c.StoppedAt, breachedAt is not null, breachedAt,
            used > c.Target ? used - c.Target : TimeSpan.Zero);
    }

    /// <summary>Pauses every running clock of the case, with the reason in the case history.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="CaseValidationException">No reason given.</exception>
    public Task<IReadOnlyList<CaseClockView>> PauseAsync(string number, string? reason, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new CaseValidationException(["reason: say what the case waits for (the customer, a supplier...)."]);
        if (reason.Length > 500) throw new CaseValidationException(["reason: at most 500 characters."]);
        return ChangeAsync(number, new SlaClockCommand(number, SlaClockAction.Pause, Note: reason.Trim()), "SlaPaused", $"Clocks paused: {reason.Trim()}", actor, cancellationToken);
    }

    /// <summary>Resumes every paused clock of the case.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public Task<IReadOnlyList<CaseClockView>> ResumeAsync(string number, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(number, new SlaClockCommand(number, SlaClockAction.Resume), "SlaResumed", "Clocks resumed.", actor, cancellationToken);

    /// <summary>Stores a calendar and re-targets the open clocks: time used so far is frozen on the old calendar first.</summary>
    /// <exception cref="FormatException">The calendar is invalid or breaks the set; nothing changed.</exception>
    public async Task SaveCalendarAsync(string id, string json, CancellationToken cancellationToken)
    {
        WorkingCalendarFile.Read(id, json);
        await RecomputeOpenAsync($"Calendar '{id}' changed.", () => settings.SaveCalendarAsync(id, json, cancellationToken), cancellationToken);
    }

    /// <summary>Stores the policies and re-targets the open clocks.</summary>
    /// <exception cref="FormatException">The policies are invalid; nothing changed.</exception>
    public async Task SavePoliciesAsync(string json, CancellationToken cancellationToken)
    {
        SlaPolicyDocument.Parse(json);
        await RecomputeOpenAsync("SLA policies changed.", () => settings.SavePoliciesAsync(json, cancellationToken), cancellationToken);
    }


    private async Task<IReadOnlyList<CaseClockView>> ChangeAsync(string number, SlaClockCommand command, string action, string details, string actor, CancellationToken cancellationToken)
    {
        var sla = await settings.GetAsync(cancellationToken);
        string instanceId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var feedback = await db.LockCaseAsync(number, cancellationToken) ?? throw new KeyNotFoundException($"No case {number}.");
            var now = clock.UtcNow;
            await CaseClockSync.SyncAsync(db, feedback, sla, [], [command], now, cancellationToken);
            db.History.Add(new CaseHistoryEntry { CaseId = feedback.Id, At = now, Actor = actor, Via = "api", Action = action, Details = details });
            feedback.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            instanceId = feedback.WorkflowInstanceId;
        }
        await RecheckDeadlinesAsync(instanceId, cancellationToken);
        return await ClocksAsync(number, cancellationToken);
    }

    /// <summary>
    /// Wakes the instance's waiting SLA deadlines so they re-read their clock now rather than at their old due time.
    /// Losing this (a crash right after the commit) only delays a deadline until its old timer fires and re-arms.
    /// </summary>
    internal async Task RecheckDeadlinesAsync(string instanceId, CancellationToken cancellationToken)
    {
        List<string> waiting;
        await using (var db = await workflowDbFactory.CreateDbContextAsync(cancellationToken))
            waiting = await db.Bookmarks.AsNoTracking().Where(b => b.WorkflowInstanceId == instanceId && b.Name == SlaDeadline.Stimulus)
                .Select(b => b.Id).ToListAsync(cancellationToken);
        foreach (var bookmark in waiting)
        {
            try { await runtime.ResumeAsync(bookmark, new Dictionary<string, JsonNode?> { [RecheckInputKey] = true }, cancellationToken); }
            catch (BookmarkNotWaitingException)
            {
                // Its timer fired or its branch ended meanwhile; the activity read the clock itself.
            }
            catch (Exception e) when (e is WorkflowInstanceStateException or WorkflowInstanceNotFoundException)
            {
                // A faulted, cancelled or deleted instance cannot be woken. The clock change is committed already, and
                // one broken case must neither fail the caller's pause nor keep a policy change from the other cases.
                logger.LogWarning(e, "Could not wake the SLA deadline {Bookmark} of workflow instance {Instance}; its clocks are changed", bookmark, instanceId);
            }
        }
    }

    /// <summary>Freezes every open clock's time used on the settings in force, applies the change, then re-targets them.</summary>
    private async Task RecomputeOpenAsync(string note, Func<Task> change, CancellationToken cancellationToken)
    {
        var before = await settings.GetAsync(cancellationToken);
        var numbers = await OpenCaseNumbersAsync(cancellationToken);
        foreach (var number in numbers)
            await SyncCaseAsync(number, before, note, cancellationToken);
        await change();
        var after = await settings.GetAsync(cancellationToken);
        var instances = new List<string>();
        foreach (var number in numbers)
            if (await SyncCaseAsync(number, after, null, cancellationToken) is { } instance) instances.Add(instance);
        logger.LogInformation("{Note} Re-targeted the open clocks of {Count} case(s)", note, numbers.Count);
        foreach (var instance in instances) await RecheckDeadlinesAsync(instance, cancellationToken);
    }

    private async Task<List<string>> OpenCaseNumbersAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.CaseClocks.Where(c => c.State != CaseClockState.Stopped).Select(c => c.CaseNumber).Distinct().ToListAsync(cancellationToken);
    }

    /// <summary>Syncs one case's clocks in its own transaction; returns its workflow instance id.</summary>
    private async Task<string?> SyncCaseAsync(string number, SlaSettings sla, string? checkpoint, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.LockCaseAsync(number, cancellationToken) is not { } feedback) return null;
        await CaseClockSync.SyncAsync(db, feedback, sla, [], [], clock.UtcNow, cancellationToken, checkpoint);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return feedback.WorkflowInstanceId;
    }
}
