using System.Diagnostics;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Sla;

/// <summary>Where the shipped calendars and policies are, loaded into an empty database at start-up.</summary>
public sealed class SlaOptions
{
    /// <summary>A folder of calendar files (<c>{id}.json</c>, see <see cref="WorkingCalendarFile"/>); null loads none.</summary>
    public string? CalendarsFolder { get; set; }

    /// <summary>The policy file (see <see cref="SlaPolicyDocument"/>); null loads none.</summary>
    public string? PoliciesFile { get; set; }

    /// <summary>How long a host reuses the settings it read; another host's edit shows within this time.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A stored calendar file or the policy file, verbatim as the admin wrote it (comments kept).</summary>
public sealed class SlaSettingRecord
{
    public const string PoliciesKey = "policies";
    public const string CalendarPrefix = "calendar:";

    public required string Key { get; set; }
    public required string Json { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The calendars and policies in force.</summary>
public sealed record SlaSettings(WorkingCalendars Calendars, SlaPolicyDocument Policies)
{
    /// <summary>The calendar a clock counts on: calendar time for null, the default for a calendar since removed.</summary>
    public WorkingCalendar CalendarOf(string? calendarId) =>
        calendarId is null ? WorkingCalendar.Continuous : (Calendars.Find(calendarId) ?? Calendars.Default).Calendar;

    /// <summary>Without any calendar, working time is calendar time.</summary>
    internal static CalendarDefinition Fallback { get; } = new("calendar-time", WorkingCalendar.Continuous, true, []);
}

/// <summary>Reads and changes the SLA calendars and policies, kept in the database so every host uses the same ones.</summary>
public sealed class SlaSettingsService(IDbContextFactory<FeedbackDbContext> dbFactory, SlaOptions options, Feedback.Workflows.Runtime.IClock clock)
{
    private readonly object _gate = new();
    private (SlaSettings Settings, long ReadAt)? _cached;

    /// <summary>The settings, read at most every <see cref="SlaOptions.CacheFor"/>.</summary>
    /// <exception cref="FormatException">A stored file no longer parses (only possible through direct database edits).</exception>
    public async Task<SlaSettings> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_cached is { } cached && Stopwatch.GetElapsedTime(cached.ReadAt) < options.CacheFor) return cached.Settings;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var records = await db.SlaSettings.AsNoTracking().ToListAsync(cancellationToken);
        var settings = Build(records);
        lock (_gate) _cached = (settings, Stopwatch.GetTimestamp());
        return settings;
    }

    /// <summary>The stored text of a calendar, or null.</summary>
    public async Task<string?> CalendarJsonAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.SlaSettings.AsNoTracking().FirstOrDefaultAsync(r => r.Key == SlaSettingRecord.CalendarPrefix + id, cancellationToken))?.Json;
    }

    /// <summary>The stored policy text, or null when there are no policies.</summary>
    public async Task<string?> PoliciesJsonAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.SlaSettings.AsNoTracking().FirstOrDefaultAsync(r => r.Key == SlaSettingRecord.PoliciesKey, cancellationToken))?.Json;
    }

    /// <summary>Stores a calendar (new or changed) after checking it and the set it makes with the others.</summary>
    /// <exception cref="FormatException">The calendar, or the set with it, is invalid; nothing was stored.</exception>
    public Task SaveCalendarAsync(string id, string json, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new FormatException("A calendar id is 1 to 64 letters, digits, '-' or '_'.");
        WorkingCalendarFile.Read(id, json);
        return SaveAsync(SlaSettingRecord.CalendarPrefix + id, json, cancellationToken);
    }

    /// <summary>Stores the policies after checking them.</summary>
    /// <exception cref="FormatException">The policies are invalid; nothing was stored.</exception>
    public Task SavePoliciesAsync(string json, CancellationToken cancellationToken)
    {
        SlaPolicyDocument.Parse(json);
        return SaveAsync(SlaSettingRecord.PoliciesKey, json, cancellationToken);
    }

    /// <summary>Loads the shipped files whose key is not stored yet; never overwrites an admin's edit.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var files = new List<(string Key, string Json)>();
        if (options.CalendarsFolder is { } folder && Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
                files.Add((SlaSettingRecord.CalendarPrefix + Path.GetFileNameWithoutExtension(file), await File.ReadAllTextAsync(file, cancellationToken)));
        if (options.PoliciesFile is { } policies && File.Exists(policies))
            files.Add((SlaSettingRecord.PoliciesKey, await File.ReadAllTextAsync(policies, cancellationToken)));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.SlaSettings.AsNoTracking().ToListAsync(cancellationToken);
        var missing = files.Where(f => stored.All(r => r.Key != f.Key))
            .Select(f => new SlaSettingRecord { Key = f.Key, Json = f.Json, UpdatedAt = clock.UtcNow }).ToList();
        if (missing.Count == 0) return;
        // Check the whole result first: a broken shipped file stops the start-up instead of the first case.
        Build(stored.Concat(missing).ToList());
        db.SlaSettings.AddRange(missing);
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateException)
        {
            // Another host seeded the same files at the same moment; theirs are the same files.
        }
        Invalidate();
    }

    private async Task SaveAsync(string key, string json, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var records = await db.SlaSettings.ToListAsync(cancellationToken);
        var record = records.FirstOrDefault(r => r.Key == key);
        if (record is null) db.SlaSettings.Add(record = new SlaSettingRecord { Key = key, Json = json });
        record.Json = json;
        record.UpdatedAt = clock.UtcNow;
        Build(records.Append(record).Distinct().ToList()); // the set must stay consistent (one default, no department twice)
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        Invalidate();
    }

    private void Invalidate() { lock (_gate) _cached = null; }

    /// <exception cref="FormatException">A file is invalid or the calendars are inconsistent; the message names the file.</exception>
    private static SlaSettings Build(IReadOnlyList<SlaSettingRecord> records)
    {
        var calendars = new List<CalendarDefinition>();
        foreach (var record in records.Where(r => r.Key.StartsWith(SlaSettingRecord.CalendarPrefix, StringComparison.Ordinal)))
        {
            var id = record.Key[SlaSettingRecord.CalendarPrefix.Length..];
            try { calendars.Add(WorkingCalendarFile.Read(id, record.Json)); }
            catch (FormatException e) { throw new FormatException($"Calendar '{id}': {e.Message}", e); }
        }
        var policies = records.FirstOrDefault(r => r.Key == SlaSettingRecord.PoliciesKey) is { } p ? SlaPolicyDocument.Parse(p.Json) : SlaPolicyDocument.Empty;
        return new SlaSettings(new WorkingCalendars(calendars.Count > 0 ? calendars : [SlaSettings.Fallback]), policies);
    }
}

/// <summary>Seeds the shipped calendars and policies at start-up, after the domain's tables exist.</summary>
internal sealed class SlaSettingsSeeder(SlaSettingsService settings, Feedback.Workflows.Persistence.StartupRetry retry, ILogger<SlaSettingsSeeder> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("SLA settings", SeedAsync, cancellationToken);

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await settings.SeedAsync(cancellationToken);
        var loaded = await settings.GetAsync(cancellationToken);
        logger.LogInformation("SLA: {Calendars} calendar(s), default {Default}; {Policies} polic(ies)",
            loaded.Calendars.All.Count, loaded.Calendars.Default.Id, loaded.Policies.Policies.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
