using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Feedback.Host.Studio;

/// <summary>A signed-in user's bearer token and what it says.</summary>
public sealed record StudioToken(string Value, string UserName, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues and checks the short-lived bearer tokens of signed-in users (HMAC-SHA256 over user name and expiry). The
/// signing key is derived from the API key, so every host of a deployment accepts every other host's tokens without
/// extra configuration, and changing the API key signs everybody out.
/// </summary>
public sealed class StudioTokens
{
    private const string Prefix = "fbs1.";
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public StudioTokens(string apiKey, TimeSpan lifetime, TimeProvider time)
    {
        if (lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), "A token lifetime must be positive.");
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), "feedback-studio-bearer-token"u8);
        _time = time;
        Lifetime = lifetime;
    }

    /// <summary>How long a token stays valid after sign-in.</summary>
    public TimeSpan Lifetime { get; }

    public StudioToken Issue(string userName)
    {
        var expiresAt = _time.GetUtcNow().Add(Lifetime);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(userName, expiresAt.ToUnixTimeSeconds()));
        var body = Base64Url.EncodeToString(payload);
        return new StudioToken(Prefix + body + "." + Sign(body), userName, DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The token's content when its signature is right and it has not expired; otherwise null.</summary>
    public StudioToken? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 2048) return null;
        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 2) return null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0])), Encoding.ASCII.GetBytes(parts[1]))) return null;
        // The signature is ours, so the payload is JSON we wrote; a decoding failure here would be a bug, not an attack.
        var payload = JsonSerializer.Deserialize<Payload>(Base64Url.DecodeFromChars(parts[0]))!;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(payload.Exp);
        return expiresAt > _time.GetUtcNow() ? new StudioToken(token, payload.Sub, expiresAt) : null;
    }

    /// <summary>The check the Elsa API runs on <c>Authorization: Bearer</c> headers.</summary>
    public bool IsValid(string token) => Read(token) is not null;

    private string Sign(string body) => Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));

    private sealed record Payload(string Sub, long Exp);
}
