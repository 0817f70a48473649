using System.Net;

namespace Feedback.Host.Studio;

/// <summary>Limits on failed sign-ins to the admin shell (<c>Admin:Lockout:*</c>).</summary>
/// <param name="MaxFailuresPerUser">Failed passwords for one user name within <paramref name="Window"/> that lock it.</param>
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

/// <summary>
/// Counts failed sign-ins per user name and per client address and locks either for a while once it has too many.
/// While locked, no password is checked at all (a right one included), so guessing gains nothing. Unknown user names
/// count like known ones, so the lock tells nobody which names exist. The counts live in this host's memory: with
/// several hosts each keeps its own, and a restart forgets them.
/// </summary>
public sealed class StudioSignInLockout(StudioLockoutOptions options, TimeProvider time)
{
    // Bounds memory against a flood of made-up names or addresses; stale entries go first.
    private const int MaxTracked = 10_000;
    private readonly Dictionary<string, Tracker> _trackers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>When the user name or the address is locked, until when; null when a sign-in may be tried.</summary>
    public DateTimeOffset? LockedUntil(string? userName, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var until = new[] { Find(UserKey(userName)), Find(AddressKey(address)) }
                .Select(t => t?.LockedUntil).Where(u => u > now).Max();
            return until;
        }
    }

    /// <summary>Counts a failed sign-in; returns when the user name or address is now locked, or null.</summary>
    public DateTimeOffset? RecordFailure(string? userName, IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_trackers.Count >= MaxTracked) Prune(now);
            var byUser = Count(UserKey(userName), options.MaxFailuresPerUser, now);
            var byAddress = options.MaxFailuresPerAddress == 0 ? null : Count(AddressKey(address), options.MaxFailuresPerAddress, now);
            return new[] { byUser, byAddress }.Where(u => u > now).Max();
        }
    }

    /// <summary>A right password clears the user's failures (the address keeps its count: one user's success says nothing of the other names tried).</summary>
    public void RecordSuccess(string? userName)
    {
        lock (_gate) _trackers.Remove(UserKey(userName));
    }

    private DateTimeOffset? Count(string key, int max, DateTimeOffset now)
    {
        if (!_trackers.TryGetValue(key, out var tracker)) _trackers[key] = tracker = new Tracker();
        tracker.Failures.RemoveAll(f => f <= now - options.Window);
        tracker.Failures.Add(now);
        if (tracker.Failures.Count >= max)
        {
            tracker.LockedUntil = now + options.Duration;
            // The next round starts afresh after the lock, not one failure from another lock.
            tracker.Failures.Clear();
        }
        return tracker.LockedUntil;
    }

    private Tracker? Find(string key) => _trackers.GetValueOrDefault(key);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, tracker) in _trackers.ToList())
            if (!(tracker.LockedUntil > now) && tracker.Failures.All(f => f <= now - options.Window)) _trackers.Remove(key);
        // Everything is recent: drop the oldest half of the unlocked counts rather than grow without bound; locks stay.
        if (_trackers.Count >= MaxTracked)
            foreach (var (key, _) in _trackers.OrderBy(t => t.Value.LockedUntil > now).ThenBy(t => t.Value.Failures.LastOrDefault()).Take(MaxTracked / 2).ToList())
                _trackers.Remove(key);
    }

    private static string UserKey(string? userName) => "user:" + (userName ?? "").Trim().ToLowerInvariant();

    private static string AddressKey(IPAddress? address) => "address:" + (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address)?.ToString();

    private sealed class Tracker
    {
        public List<DateTimeOffset> Failures { get; } = [];
        public DateTimeOffset? LockedUntil { get; set; }
    }
}
