using System.Net;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Studio;

/// <summary>Limits on failed sign-ins to the admin shell (<c>Admin:Lockout:*</c>), or to the staff pages (per address only).</summary>
/// <param name="MaxFailuresPerUser">Failed passwords for one user name within <paramref name="Window"/> that lock it; 0 counts no names.</param>
/// <param name="MaxFailuresPerAddress">
/// Failed sign-ins from one client address within the window (any user names) that lock the address; 0 turns this off
/// (behind a reverse proxy that does not forward client addresses, every sign-in comes from the proxy's address).
/// </param>
/// <param name="Window">How far back failures count.</param>
/// <param name="Duration">How long a lock lasts.</param>
public sealed record StudioLockoutOptions(int MaxFailuresPerUser, int MaxFailuresPerAddress, TimeSpan Window, TimeSpan Duration)
{
    /// <summary>5 per user, 20 per address, within 15 minutes; locked for 15 minutes.</summary>
    public static StudioLockoutOptions Default { get; } = new(5, 20, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));

    /// <summary>Reads <c>Admin:Lockout</c>, falling back to <see cref="Default"/> per setting.</summary>
    /// <exception cref="InvalidOperationException">A setting is present but not a positive number or time span.</exception>
    public static StudioLockoutOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("Admin:Lockout");
        int Count(string key, int fallback, int min) => section[key] is not { Length: > 0 } text ? fallback
            : int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min ? value
            : throw new InvalidOperationException($"Admin:Lockout:{key} is '{text}'; use a whole number of at least {min}.");
        TimeSpan Span(string key, TimeSpan fallback) => section[key] is not { Length: > 0 } text ? fallback
            : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero ? value
            : throw new InvalidOperationException($"Admin:Lockout:{key} is '{text}'; use a positive time span such as 00:15:00.");
        return new StudioLockoutOptions(
            Count(nameof(MaxFailuresPerUser), Default.MaxFailuresPerUser, 1), Count(nameof(MaxFailuresPerAddress), Default.MaxFailuresPerAddress, 0),
            Span(nameof(Window), Default.Window), Span(nameof(Duration), Default.Duration));
    }
}

/// <summary>A lock that refused or ended a sign-in attempt: until when, and whether it is the client address's (else the user name's).</summary>
public sealed record AttemptLock(DateTimeOffset Until, bool ByAddress);

/// <summary>
/// Counts failed sign-ins per user name and per client address and locks either for a while once it has too many.
/// Each attempt is counted before its password is checked (<see cref="BeginAttemptAsync"/>, then
/// <see cref="EndAttemptAsync"/>), so guesses sent at once get no more checks than the limit; both the admin shell and
/// the staff pages sign in this way. While locked, no password is checked at all (a right one included), so guessing
/// gains nothing. Unknown user names
/// count like known ones, so the lock tells nobody which names exist. The counts are stored
/// (<see cref="SignInThrottle"/>), so every host of a cluster counts the same failures and a restart forgets none.
/// The staff sign-in uses its own instance, whose <paramref name="scope"/> keeps its counts apart from the shell's.
/// </summary>
/// <remarks>
/// A key's failures count from its first failure in a window of <see cref="StudioLockoutOptions.Window"/>; a later
/// failure after the window starts a new one. On PostgreSQL concurrent failures of one key (on any host) take turns on
/// its row lock; on SQLite a concurrency token makes the loser count again.
/// </remarks>
/// <param name="scope">Prefixes every stored key: empty for the admin shell, <c>staff-</c> for the staff pages.</param>
public sealed class StudioSignInLockout(StudioLockoutOptions options, IDbContextFactory<FeedbackDbContext> dbFactory, TimeProvider time, string scope)
{
    private const int Attempts = 5;
    private static readonly TimeSpan ContendedPause = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(5);
    private long _lastPruneTicks;

    /// <summary>When the user name or the address is locked, until when; null when a sign-in may be tried.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string? userName, IPAddress? address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = new[] { UserKey(userName), AddressKey(address) };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var locks = await db.SignInThrottles.AsNoTracking().Where(t => keys.Contains(t.Key) && t.LockedUntil != null)
            .Select(t => t.LockedUntil).ToListAsync(cancellationToken);
        return locks.Where(u => u > now).Max();
    }

    /// <summary>A right password clears the user's failures (the address keeps its count: one user's success says nothing of the other names tried).</summary>
    public async Task RecordSuccessAsync(string? userName, CancellationToken cancellationToken)
    {
        var key = UserKey(userName);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SignInThrottles.Where(t => t.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>
    /// Counts a sign-in attempt as a failure before its password is checked, so that concurrent guesses cannot all pass
    /// a "not locked" test first: per window, at most the limit's worth of attempts of one name or address get their
    /// password checked. Returns the lock that refuses the attempt (nothing is counted then), or null: the attempt may go
    /// on, and its outcome goes to <see cref="EndAttemptAsync"/>. A key whose limit is taken by attempts still being
    /// checked refuses for a moment without locking: some of them may be right, and a lock is for failures only.
    /// </summary>
    public async Task<AttemptLock?> BeginAttemptAsync(string? userName, IPAddress? address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await PruneIfDueAsync(now, cancellationToken);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = await LockRowsAsync(db, userName, address, now, cancellationToken);
            AttemptLock? refused = null;
            foreach (var (row, max, byAddress) in rows)
            {
                if (!(row.LockedUntil > now) && row.WindowStartedAt <= now - options.Window) StartWindow(row, now);
                if (row.LockedUntil is { } until && until > now && (refused is null || byAddress)) refused = new AttemptLock(until, byAddress);
                // The limit's worth of attempts is already counted: no more are checked until some end (a success gives
                // its count back) or the window does. Locking here would lock on attempts that may yet succeed.
                else if (row.Failures >= max && (refused is null || byAddress)) refused = new AttemptLock(now + ContendedPause, byAddress);
            }
            foreach (var (row, _, _) in rows)
            {
                if (refused is null) row.Failures++;
                row.Version++;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                return refused;
            }
            // Another request created one of the rows first (or, on SQLite, counted meanwhile): count again.
            catch (DbUpdateException)
            {
            }
        }
        // Still contended after every attempt: many sign-ins at once, which is what a lock is for. Refuse this one briefly.
        return new AttemptLock(now + ContendedPause, ByAddress: true);
    }

    /// <summary>
    /// Records how an attempt counted by <see cref="BeginAttemptAsync"/> ended. A right password clears the name's count
    /// and gives the address its attempt back; a wrong one stays counted, and locks a key whose limit it reached, which
    /// is returned (the address's lock first).
    /// </summary>
    public async Task<AttemptLock?> EndAttemptAsync(string? userName, IPAddress? address, bool succeeded, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (succeeded)
        {
            await RecordSuccessAsync(userName, cancellationToken);
            if (options.MaxFailuresPerAddress == 0) return null;
            var key = AddressKey(address);
            await using var refund = await dbFactory.CreateDbContextAsync(cancellationToken);
            await refund.SignInThrottles.Where(t => t.Key == key && t.Failures > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, t => t.Failures - 1).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
            return null;
        }
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            AttemptLock? locked = null;
            foreach (var (row, max, byAddress) in await LockRowsAsync(db, userName, address, now, cancellationToken))
            {
                if (row.LockedUntil > now || row.Failures < max) continue;
                Lock(row, now);
                row.Version++;
                if (locked is null || byAddress) locked = new AttemptLock(row.LockedUntil!.Value, byAddress);
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                return locked;
            }
            catch (DbUpdateException)
            {
            }
        }
        return new AttemptLock(now + ContendedPause, ByAddress: true);
    }

    /// <summary>The counted keys' rows (the name's first, then the address's), locked on PostgreSQL; a missing one is added.</summary>
    private async Task<List<(SignInThrottle Row, int Max, bool ByAddress)>> LockRowsAsync(
        FeedbackDbContext db, string? userName, IPAddress? address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = new List<(SignInThrottle, int, bool)>();
        // Always in this order, so that two attempts never wait for each other's row lock.
        foreach (var (key, max, byAddress) in new[] { (UserKey(userName), options.MaxFailuresPerUser, false), (AddressKey(address), options.MaxFailuresPerAddress, true) })
        {
            if (max == 0) continue;
            var row = db.SupportsRowLocks
                ? (await db.SignInThrottles.FromSqlRaw("SELECT * FROM sign_in_throttles WHERE key = {0} FOR UPDATE", key).ToListAsync(cancellationToken)).SingleOrDefault()
                : await db.SignInThrottles.FirstOrDefaultAsync(t => t.Key == key, cancellationToken);
            if (row is null) db.SignInThrottles.Add(row = new SignInThrottle { Key = key, WindowStartedAt = now });
            rows.Add((row, max, byAddress));
        }
        return rows;
    }

    private static void StartWindow(SignInThrottle row, DateTimeOffset now)
    {
        row.Failures = 0;
        row.WindowStartedAt = now;
    }

    private void Lock(SignInThrottle row, DateTimeOffset now)
    {
        row.LockedUntil = now + options.Duration;
        // The next round starts afresh after the lock, not one failure from another lock.
        StartWindow(row, now);
    }

    /// <summary>Removes keys whose window and lock have both run out, at most every few minutes per host.</summary>
    private async Task PruneIfDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastPruneTicks);
        if (now.UtcTicks - last < PruneEvery.Ticks || Interlocked.CompareExchange(ref _lastPruneTicks, now.UtcTicks, last) != last) return;
        var windowStart = now - options.Window;
        // Only this scope's keys: the other instance counts under its own window, which may be longer than this one.
        var users = scope + "user:";
        var addresses = scope + "address:";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SignInThrottles.Where(t => (t.Key.StartsWith(users) || t.Key.StartsWith(addresses))
                && t.WindowStartedAt <= windowStart && (t.LockedUntil == null || t.LockedUntil <= now))
            .ExecuteDeleteAsync(cancellationToken);
    }

    private string UserKey(string? userName) => scope + "user:" + Truncate((userName ?? "").Trim().ToLowerInvariant());

    private string AddressKey(IPAddress? address) => scope + "address:" + (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address)?.ToString();

    // A made-up name of any length still counts, under its first 256 characters.
    private static string Truncate(string name) => name.Length <= 256 ? name : name[..256];
}
