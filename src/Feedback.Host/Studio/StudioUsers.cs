using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace Feedback.Host.Studio;

/// <summary>A user of the admin shell, as configured.</summary>
public sealed record StudioUser(string UserName, string PasswordHash);

/// <summary>
/// The admin shell's users: <c>Admin:Users:N:UserName</c> / <c>PasswordHash</c> (ASP.NET Core PasswordHasher, PBKDF2)
/// from configuration; when none are configured, a development admin kept in the data folder.
/// </summary>
public sealed class StudioUsers
{
    private const string DevAdminFile = "dev-admin.json";
    private static readonly PasswordHasher<StudioUser> Hasher = new();
    // Verified against when the user name is unknown, so that a wrong name costs as long as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword(new StudioUser("", ""), RandomNumberGenerator.GetHexString(32));
    private readonly Dictionary<string, StudioUser> _users;

    private StudioUsers(IEnumerable<StudioUser> users) =>
        _users = users.ToDictionary(u => u.UserName, StringComparer.OrdinalIgnoreCase);

    /// <summary>Set when this start created the development admin: its one-time password, to print once.</summary>
    public string? NewDevelopmentPassword { get; private init; }

    /// <summary>Set when the development admin is in use (created now or earlier).</summary>
    public string? DevelopmentAdminFile { get; private init; }

    /// <summary>A PasswordHash value for configuration.</summary>
    public static string HashPassword(string password) => Hasher.HashPassword(new StudioUser("", ""), password);

    /// <summary>The user when the name and password match; null otherwise.</summary>
    public StudioUser? Verify(string? userName, string? password)
    {
        if (string.IsNullOrEmpty(password)) return null;
        if (userName is null || !_users.TryGetValue(userName.Trim(), out var user))
        {
            Hasher.VerifyHashedPassword(new StudioUser("", ""), DecoyHash, password);
            return null;
        }
        return Hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>Reads the configured users, or creates/loads the development admin in <paramref name="dataFolder"/>.</summary>
    /// <exception cref="InvalidOperationException">A configured user lacks a name or a hash.</exception>
    public static StudioUsers Load(IConfiguration configuration, string dataFolder)
    {
        var configured = configuration.GetSection("Admin:Users").GetChildren().Select((section, index) =>
        {
            var name = section["UserName"];
            var hash = section["PasswordHash"];
            if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(hash))
                throw new InvalidOperationException($"Admin:Users:{index} needs both UserName and PasswordHash (an ASP.NET Core PasswordHasher hash).");
            return new StudioUser(name.Trim(), hash.Trim());
        }).ToList();
        if (configured.Count > 0) return new StudioUsers(configured);

        // A fresh clone must be usable without setup; only the hash is kept, so the password is shown once, by the
        // start that created the file (another host starting at the same moment reads it).
        var file = Path.Combine(dataFolder, DevAdminFile);
        string? password = null;
        var json = DataFiles.ReadOrCreate(file, () =>
        {
            password = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
            return JsonSerializer.Serialize(new StudioUser("admin", HashPassword(password)));
        }, out var created);
        var admin = JsonSerializer.Deserialize<StudioUser>(json)
            ?? throw new InvalidOperationException($"{file} holds no user; delete it to create a new development admin.");
        return new StudioUsers([admin]) { NewDevelopmentPassword = created ? password : null, DevelopmentAdminFile = file };
    }
}
