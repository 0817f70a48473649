using System.Net;
using System.Security.Cryptography;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Staff;

/// <summary>How a sign-in attempt ended; <see cref="SignInOutcome.AddressLocked"/>: too many failures from the client's address.</summary>
public enum SignInOutcome { SignedIn, Failed, LockedOut, AddressLocked }

/// <summary>The outcome, and for a success the user and the credential stamp the session carries.</summary>
public sealed record SignInResult(SignInOutcome Outcome, string? UserName = null, string? Stamp = null, DateTimeOffset? LockedUntil = null);

/// <summary>The new password does not meet the rules; nothing changed.</summary>
public sealed class PasswordRejectedException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>The "set password" link is no longer the member's newest, or the password was set after it was issued; nothing changed.</summary>
public sealed class PasswordLinkSupersededException(string userName) : Exception($"A newer password link was sent to {userName}, or the password was set since this one was issued.");

/// <summary>
/// Staff passwords: hashed with ASP.NET Core's PasswordHasher (PBKDF2) as the admin shell's users are, checked with a
/// lockout after repeated failures. Only active directory members can sign in. Failures are counted per user name
/// (known or not, so the lock tells nobody which names exist) and per client address in <paramref name="throttle"/>,
/// each attempt before its password is checked, so concurrent guesses get no more checks than the limit.
/// </summary>
public sealed class StaffCredentials(IDbContextFactory<FeedbackDbContext> dbFactory, StaffSignInOptions options, IClock clock, Studio.StudioSignInLockout throttle)
{
    private static readonly PasswordHasher<StaffCredential> Hasher = new();
    // Verified against when there is nothing to verify, so that an unknown name costs as long as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword(Decoy, RandomNumberGenerator.GetHexString(32));
    private static StaffCredential Decoy => new() { UserName = "", Stamp = "" };

    /// <summary>
    /// Checks a user name and password from <paramref name="address"/>, counting failures and locking the name, or the
    /// address, after too many. While either is locked no password is checked, a right one included.
    /// </summary>
    public async Task<SignInResult> VerifyAsync(string? userName, string? password, IPAddress? address, CancellationToken cancellationToken)
    {
        var user = userName?.Trim() ?? "";
        if (await throttle.BeginAttemptAsync(user, address, cancellationToken) is { } refused) return Locked(refused);
        // Not cut short by an abandoned request (a double submit, a page left): the attempt is counted, and only a check
        // that ends can give a success's count back. The check is bounded (one hash, two short reads).
        var result = await CheckAsync(user, password, CancellationToken.None);
        var succeeded = result.Outcome == SignInOutcome.SignedIn;
        var locked = await throttle.EndAttemptAsync(user, address, succeeded, CancellationToken.None);
        return !succeeded && locked is { } now ? Locked(now) : result;
    }

    private static SignInResult Locked(Studio.AttemptLock attemptLock) =>
        new(attemptLock.ByAddress ? SignInOutcome.AddressLocked : SignInOutcome.LockedOut, LockedUntil: attemptLock.Until);

    private async Task<SignInResult> CheckAsync(string user, string? password, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = user.Length == 0 ? null : await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserName == user, cancellationToken);
        var credential = member is { Active: true } ? await db.StaffCredentials.FirstOrDefaultAsync(c => c.UserName == user, cancellationToken) : null;
        if (credential?.PasswordHash is not { } hash || string.IsNullOrEmpty(password))
        {
            Hasher.VerifyHashedPassword(Decoy, DecoyHash, password ?? "");
            return new SignInResult(SignInOutcome.Failed);
        }
        var verdict = Hasher.VerifyHashedPassword(credential, hash, password);
        if (verdict == PasswordVerificationResult.Failed) return new SignInResult(SignInOutcome.Failed);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            credential.PasswordHash = Hasher.HashPassword(credential, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return new SignInResult(SignInOutcome.SignedIn, member!.UserName, credential.Stamp);
    }

    /// <summary>The problems with a new password, or none.</summary>
    public IReadOnlyList<string> Check(string userName, string? password, string? confirmation)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(password) || password.Length < options.MinPasswordLength)
            errors.Add($"password: at least {options.MinPasswordLength} characters.");
        else if (password.Length > StaffSignInOptions.MaxPasswordLength) errors.Add($"password: at most {StaffSignInOptions.MaxPasswordLength} characters.");
        else if (password.Contains(userName, StringComparison.OrdinalIgnoreCase)) errors.Add("password: must not contain your user name.");
        if (password != confirmation) errors.Add("confirm: the two passwords differ.");
        return errors;
    }

    /// <summary>
    /// Makes <paramref name="linkId"/> the member's only usable "set password" link (a credential row without a password
    /// is created for a member who has none yet).
    /// </summary>
    public async Task RecordPasswordLinkAsync(string userName, string linkId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await db.StaffCredentials.Where(c => c.UserName == userName)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.PasswordLinkId, linkId), cancellationToken) == 1) return;
            db.StaffCredentials.Add(new StaffCredential { UserName = userName, Stamp = RandomNumberGenerator.GetHexString(32, lowercase: true), PasswordLinkId = linkId });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another request created the row first; the update finds it now.
            }
        }
    }

    /// <summary>
    /// Whether a "set password" link may still be used: it is the newest one mailed to the member, or, for a link minted
    /// before links were recorded, it was issued after the password was last set.
    /// </summary>
    public async Task<bool> IsPasswordLinkCurrentAsync(string userName, string linkId, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var credential = await db.StaffCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.UserName == userName, cancellationToken);
        return credential is null || (credential.PasswordLinkId is { } newest ? newest == linkId : !(credential.PasswordSetAt >= issuedAt));
    }

    /// <summary>
    /// Sets a new password through the "set password" link <paramref name="linkId"/>, issued at <paramref name="issuedAt"/>:
    /// a new stamp ends every earlier sign-in, and any lockout is lifted. The link is checked in the same statement
    /// that stores the password, so a link cancelled meanwhile sets nothing.
    /// </summary>
    /// <exception cref="PasswordRejectedException">The password does not meet the rules.</exception>
    /// <exception cref="KeyNotFoundException">No active staff member of that name.</exception>
    /// <exception cref="PasswordLinkSupersededException">A newer link was mailed, or the password was set after this link was issued.</exception>
    public async Task SetPasswordAsync(string userName, string password, string confirmation, string linkId, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        var errors = Check(userName, password, confirmation);
        if (errors.Count > 0) throw new PasswordRejectedException(errors);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Staff.AnyAsync(s => s.UserName == userName && s.Active, cancellationToken))
            throw new KeyNotFoundException($"No active staff member {userName}.");
        var hash = Hasher.HashPassword(new StaffCredential { UserName = userName, Stamp = "" }, password);
        var stamp = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var now = clock.UtcNow;
        var updated = await db.StaffCredentials
            .Where(c => c.UserName == userName && (c.PasswordLinkId == linkId || (c.PasswordLinkId == null && (c.PasswordSetAt == null || c.PasswordSetAt < issuedAt))))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.PasswordHash, hash).SetProperty(c => c.Stamp, stamp).SetProperty(c => c.FailedAttempts, 0)
                .SetProperty(c => c.LockedUntil, (DateTimeOffset?)null).SetProperty(c => c.PasswordSetAt, now), cancellationToken);
        if (updated == 0)
        {
            if (await db.StaffCredentials.AnyAsync(c => c.UserName == userName, cancellationToken)) throw new PasswordLinkSupersededException(userName);
            // A link minted before links were recorded, for a member who never had a password.
            db.StaffCredentials.Add(new StaffCredential { UserName = userName, PasswordHash = hash, Stamp = stamp, PasswordSetAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        // A new password lifts the name's lock.
        await throttle.RecordSuccessAsync(userName, cancellationToken);
    }

    /// <summary>Whether a session's stamp is still the member's current one and the member is active.</summary>
    public async Task<bool> IsCurrentAsync(string userName, string stamp, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.StaffCredentials.AnyAsync(c => c.UserName == userName && c.Stamp == stamp, cancellationToken)
            && await db.Staff.AnyAsync(s => s.UserName == userName && s.Active, cancellationToken);
    }
}
