using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Feedback.Workflows.Runtime;

/// <summary>The lookup key of a bookmark or trigger: SHA-256 over the stimulus name, its payload and optionally the activity instance.</summary>
public static class BookmarkHash
{
    public static string Compute(string name, JsonObject? payload, string? activityInstanceId = null)
    {
        var parts = new List<string> { name };
        if (payload is { Count: > 0 }) parts.Add(payload.ToJsonString());
        if (!string.IsNullOrEmpty(activityInstanceId)) parts.Add(activityInstanceId);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', parts))));
    }
}
