namespace Feedback.Activities.Organization;

/// <summary>
/// A staff member's sign-in: the password hash (never the password) and the newest password link. Kept apart from
/// <see cref="StaffMember"/> so that replacing the directory does not reset anyone's password.
/// </summary>
public sealed class StaffCredential
{
    public required string UserName { get; set; }
    /// <summary>ASP.NET Core PasswordHasher (PBKDF2) hash; null until the member sets a password through their link.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>Changes with every new password, so sign-ins made with an old one stop working.</summary>
    public required string Stamp { get; set; }
    /// <summary>Not counted any more: the host counts failed sign-ins per name in <see cref="SignInThrottle"/>, unknown names alike.</summary>
    public int FailedAttempts { get; set; }
    /// <summary>Not set any more; see <see cref="FailedAttempts"/>.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? PasswordSetAt { get; set; }
    /// <summary>
    /// The id of the newest "set password" link mailed to the member: a new link cancels the earlier ones, so only this
    /// one sets a password. Null for a member whose links all predate it.
    /// </summary>
    public string? PasswordLinkId { get; set; }
}
