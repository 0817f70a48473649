namespace Feedback.Host.Staff;

/// <summary>Staff sign-in settings (<c>StaffSignIn:*</c>).</summary>
public sealed class StaffSignInOptions
{
    /// <summary>
    /// Wrong passwords for one user name within <see cref="LockoutDuration"/> (a right one starts the count again) that
    /// lock it; a name not in the directory locks the same way.
    /// </summary>
    public int MaxFailedAttempts { get; set; } = 5;
    /// <summary>How long a locked account stays locked; also how long a locked address stays locked, and how far back its failures count.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>
    /// Failed sign-ins from one client address (any user names) within <see cref="LockoutDuration"/> that pause sign-in
    /// from it; 0 turns this off (behind a reverse proxy that does not pass client addresses, all staff share one).
    /// </summary>
    public int MaxFailuresPerAddress { get; set; } = 20;
    /// <summary>How long a sign-in lasts without use; every request within it extends it (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
    public int MinPasswordLength { get; set; } = 10;
    public const int MaxPasswordLength = 200;
}
