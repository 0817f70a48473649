using System.Text.RegularExpressions;

namespace Feedback.Activities.Cases;

/// <summary>What intake receives for a new piece of feedback, before it becomes a case.</summary>
public sealed record CaseRegistration
{
    public FeedbackChannel? Channel { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    public bool Anonymous { get; init; }
    public string? CustomerName { get; init; }
    public string? CustomerPhone { get; init; }
    public string? CustomerEmail { get; init; }
    public string? Language { get; init; }
    public string? Title { get; init; }
    public string? Content { get; init; }
    public ProductDetails? Product { get; init; }
    public List<CustomerRequest>? Requests { get; init; }
    /// <summary>The staff member the feedback is about, when the customer names one.</summary>
    public string? ComplainedAbout { get; init; }
}

/// <summary>
/// One problem with a registration: the field, a code that pages in the customer's language translate, the limit or
/// value the text names (<see cref="Value"/>), and the text the API answers with.
/// </summary>
public sealed record RegistrationProblem(string Field, string Code, string Text, string? Value = null);

/// <summary>Checks a registration; every problem is reported at once, each naming its field.</summary>
public static partial class CaseRegistrationValidator
{
    public const int MaxContentLength = 10_000;
    public const int MaxTitleLength = 200;
    public const int MaxNameLength = 100;
    public static readonly string[] Languages = ["zh-CN", "zh-TW", "en"];

    public static IReadOnlyList<string> Validate(CaseRegistration r) => Problems(r).Select(p => p.Text).ToList();

    /// <summary>
    /// The problems of <paramref name="r"/> with their codes: required, too-long, link, contact-required, not-email,
    /// not-phone, unstorable, markup, anonymous-with-contact, one-of, out-of-range, too-many, not-link.
    /// </summary>
    public static IReadOnlyList<RegistrationProblem> Problems(CaseRegistration r)
    {
        var errors = new List<RegistrationProblem>();
        void Add(string field, string code, string text, string? value = null) => errors.Add(new RegistrationProblem(field, code, text, value));
        if (r.Channel is null) Add("channel", "required", "channel: required; one of " + string.Join(", ", Enum.GetNames<FeedbackChannel>()) + ".");
        if (string.IsNullOrWhiteSpace(r.Content)) Add("content", "required", "content: required.");
        else if (r.Content.Length > MaxContentLength) Add("content", "too-long", $"content: at most {MaxContentLength} characters (got {r.Content.Length}).", MaxContentLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.Title is { Length: > MaxTitleLength }) Add("title", "too-long", $"title: at most {MaxTitleLength} characters.", MaxTitleLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.Language is not null && !Languages.Contains(r.Language)) Add("language", "one-of", "language: one of zh-CN, zh-TW, en.");
        if (r.Anonymous)
        {
            if (r.CustomerName is not null || r.CustomerPhone is not null || r.CustomerEmail is not null)
                Add("anonymous", "anonymous-with-contact", "anonymous: anonymous feedback must not carry a name, phone or e-mail; none is stored.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(r.CustomerName)) Add("customerName", "required", "customerName: required unless the feedback is anonymous.");
            else if (r.CustomerName.Length > MaxNameLength) Add("customerName", "too-long", $"customerName: at most {MaxNameLength} characters.", MaxNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The name is repeated in the acknowledgement mailed to the given address: a link there would let anyone send our mail advertising it.
            else if (HasLink(r.CustomerName)) Add("customerName", "link", "customerName: a name, not a web address; links (http://, https://, www.) are not accepted.");
            if (string.IsNullOrWhiteSpace(r.CustomerPhone) && string.IsNullOrWhiteSpace(r.CustomerEmail))
                Add("customerPhone/customerEmail", "contact-required", "customerPhone/customerEmail: at least one contact is required unless the feedback is anonymous.");
            if (!string.IsNullOrWhiteSpace(r.CustomerEmail) && (r.CustomerEmail.Length > 254 || !EmailPattern().IsMatch(r.CustomerEmail)))
                Add("customerEmail", "not-email", "customerEmail: not an e-mail address.");
            if (!string.IsNullOrWhiteSpace(r.CustomerPhone) && !PhonePattern().IsMatch(r.CustomerPhone))
                Add("customerPhone", "not-phone", "customerPhone: 5 to 20 digits, optionally with +, spaces, dashes or parentheses.");
        }
        foreach (var (field, value) in TextFields(r).Concat([("customerPhone", r.CustomerPhone), ("customerEmail", r.CustomerEmail)]))
        {
            if (value is null) continue;
            if (Feedback.Workflows.Serialization.StorableJson.Problem(value) is { } problem) Add(field, "unstorable", $"{field}: {problem}.");
            else if (MarkupPattern().IsMatch(value)) Add(field, "markup", $"{field}: HTML markup is not accepted; send plain text.");
        }
        if (r.Product is { } p)
        {
            if (p.QuantityAffected is < 0 or > 1_000_000) Add("product.quantityAffected", "out-of-range", "product.quantityAffected: between 0 and 1,000,000.");
            if (p.Photos.Count > 10) Add("product.photos", "too-many", "product.photos: at most 10 photos.", "10");
            foreach (var photo in p.Photos)
                if (!Uri.TryCreate(photo, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    Add("product.photos", "not-link", $"product.photos: '{Truncate(photo)}' is not an http(s) link.", photo);
        }
        return errors;
    }

    /// <summary>Whether the text holds a web address (http://, https://, www.).</summary>
    public static bool HasLink(string text) => LinkPattern().IsMatch(text);

    private static IEnumerable<(string, string?)> TextFields(CaseRegistration r) =>
    [
        ("content", r.Content), ("title", r.Title), ("customerName", r.CustomerName), ("complainedAbout", r.ComplainedAbout),
        ("product.name", r.Product?.Name), ("product.model", r.Product?.Model), ("product.batchOrSerial", r.Product?.BatchOrSerial),
        ("product.orderNumber", r.Product?.OrderNumber),
    ];

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"https?://|www\.", RegexOptions.IgnoreCase)]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]{3,24}$")]
    private static partial Regex PhonePattern();

    // A tag opener such as "<script" or "</div"; "<3" and "a < b" stay plain text.
    [GeneratedRegex(@"<\s*/?\s*[a-zA-Z!]")]
    private static partial Regex MarkupPattern();
}

/// <summary>A registration that cannot become a case; <see cref="Errors"/> names each bad field.</summary>
public class CaseValidationException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// The idempotency key already belongs to a case registered from a different request; nothing was stored. The message
/// names no case: the key may be someone else's.
/// </summary>
public sealed class IdempotencyKeyReusedException() : CaseValidationException(
    ["Idempotency-Key: this key was already used for different feedback; repeat a key only to retry the very same request, and send new or corrected feedback with a new key."]);
