using System.Security.Cryptography;

namespace Feedback.Workflows.Runtime;

/// <summary>Identifiers in Elsa's style: 16 lowercase hex digits from a random 64-bit number.</summary>
public static class Ids
{
    public static string New() => RandomNumberGenerator.GetHexString(16, lowercase: true);
}
