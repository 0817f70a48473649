namespace Feedback.Activities.Organization;

/// <summary>
/// Failed sign-ins counted under one key (a user name or a client address) and the lock they led to. Stored, so that
/// every host of a cluster counts the same failures and a restart forgets nothing.
/// </summary>
public sealed class SignInThrottle
{
    /// <summary><c>user:</c> and the lower-cased name, or <c>address:</c> and the client address.</summary>
    public required string Key { get; set; }
    /// <summary>Failures since <see cref="WindowStartedAt"/>.</summary>
    public int Failures { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    /// <summary>Concurrency token: two hosts counting a failure at once must not both write the same count.</summary>
    public int Version { get; set; }
}
