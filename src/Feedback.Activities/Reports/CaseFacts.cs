using System.Security.Cryptography;
using System.Text;
using Feedback.Activities.Cases;

namespace Feedback.Activities.Reports;

/// <summary>
/// Derives the facts reports count on from a case as it changes, so report queries read plain indexed columns.
/// </summary>
public static class CaseFacts
{
    /// <summary>Fills the keys fixed at registration: customer key, product key and received day.</summary>
    public static void OnRegistration(FeedbackCase feedback, string customerKeySecret)
    {
        // The same instant in UTC: SQLite compares stored DateTimeOffsets by their local clock reading.
        feedback.ReceivedAt = feedback.ReceivedAt.ToUniversalTime();
        feedback.ReceivedDay = Day(feedback.ReceivedAt);
        feedback.CustomerKey = feedback.Anonymous ? null : CustomerKey(customerKeySecret, feedback.CustomerEmail, feedback.CustomerPhone);
        feedback.CustomerPhoneKey = feedback.Anonymous || string.IsNullOrWhiteSpace(feedback.CustomerEmail) ? null : CustomerKey(customerKeySecret, null, feedback.CustomerPhone);
        feedback.ProductKey = ProductKey(feedback.Product);
    }

    /// <summary>
    /// Records the first staff response (the first completed task) and the resolution (the first time the case is
    /// replied to or closed), after a workflow step applied <paramref name="actions"/>.
    /// </summary>
    public static void OnStep(FeedbackCase feedback, IEnumerable<string> actions, DateTimeOffset now)
    {
        if (feedback.FirstResponseAt is null && actions.Contains("TaskCompleted"))
        {
            feedback.FirstResponseAt = now;
            feedback.FirstResponseSeconds = Seconds(feedback.ReceivedAt, now);
        }
        if (feedback.ResolvedAt is null && feedback.Status is CaseStatus.Replied or CaseStatus.Closed)
        {
            feedback.ResolvedAt = now;
            feedback.ResolutionSeconds = Seconds(feedback.ReceivedAt, now);
        }
    }

    /// <summary>
    /// A department id as one element of <c>helper_departments</c>, the JSON array the model writes: serialised alike,
    /// quotes included, so a substring search for it in that column finds exactly that department.
    /// </summary>
    public static string HelperElement(string department) => System.Text.Json.JsonSerializer.Serialize(department);

    public static int Day(DateTimeOffset at) => (int)(at.UtcDateTime.Date - DateTime.UnixEpoch).TotalDays;

    /// <summary>HMAC-SHA256 of the normalised e-mail (preferred) or phone digits; null without either.</summary>
    public static string? CustomerKey(string secret, string? email, string? phone)
    {
        var contact = !string.IsNullOrWhiteSpace(email) ? "mail:" + email.Trim().ToLowerInvariant()
            : Digits(phone) is { Length: >= 5 } digits ? "tel:" + digits
            : null;
        if (contact is null) return null;
        var hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(contact));
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Lower-case product name and model with collapsed spaces; null without a name.</summary>
    public static string? ProductKey(ProductDetails? product)
    {
        if (string.IsNullOrWhiteSpace(product?.Name)) return null;
        var text = string.Join(' ', $"{product.Name} {product.Model}".ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 200 ? text : text[..200];
    }

    private static long Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (long)(to - from).TotalSeconds);

    // Country codes and punctuation vary between channels; the last eleven digits identify a mainland number.
    private static string? Digits(string? phone)
    {
        if (phone is null) return null;
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length > 11 ? digits[^11..] : digits;
    }
}
