using System.Security.Cryptography;
using System.Text.Json;
using Feedback.Activities.Links;
using Feedback.Workflows.Runtime;
using Microsoft.AspNetCore.DataProtection;

namespace Feedback.Host.Links;

/// <summary>How long mailed links live, and where they point.</summary>
public sealed class MailLinkOptions
{
    /// <summary>The site address put in mail (<c>Links:PublicBaseUrl</c>); empty uses the address the host listens on.</summary>
    public string? PublicBaseUrl { get; set; }
    public TimeSpan StaffTaskLifetime { get; set; } = TimeSpan.FromDays(14);
    public TimeSpan SurveyLifetime { get; set; } = TimeSpan.FromDays(30);
    public TimeSpan CasePageLifetime { get; set; } = TimeSpan.FromDays(180);
    public TimeSpan SetPasswordLifetime { get; set; } = TimeSpan.FromDays(3);
    /// <summary>
    /// Whom a person with a broken link should contact (<c>Links:Contact</c>), e.g. a phone number or address; empty
    /// names the customer feedback centre in the page's language.
    /// </summary>
    public string Contact { get; set; } = "";
    /// <summary>
    /// A PKCS#12 (<c>.pfx</c>) certificate whose key encrypts the links' signing keys where they are stored, in the
    /// database (<c>Links:KeyCertificatePath</c>): without it, whoever can read the database can forge links.
    /// Empty stores the signing keys unencrypted, as a development host does.
    /// </summary>
    public string? KeyCertificatePath { get; set; }
    /// <summary>The password of <see cref="KeyCertificatePath"/> (<c>Links:KeyCertificatePassword</c>), if it has one.</summary>
    public string? KeyCertificatePassword { get; set; }
}

/// <summary>What a valid link says: who may do what, until when. <see cref="Id"/> makes it single-use.</summary>
public sealed record LinkToken(string Id, ActionLinkKind Kind, string Subject, string? CaseNumber, string? UserName, DateTimeOffset ExpiresAt);

/// <summary>Why a link cannot be used; <see cref="LinkProblem.Superseded"/>: a newer link of the same kind cancelled it.</summary>
public enum LinkProblem { Forged, Expired, Used, Superseded }

/// <summary>A link that cannot be used, and why.</summary>
public sealed class LinkRejectedException(LinkProblem problem, LinkToken? token = null) : Exception($"The link is {problem.ToString().ToLowerInvariant()}.")
{
    public LinkProblem Problem { get; } = problem;
    /// <summary>What the link said, when it was genuine (expired or used).</summary>
    public LinkToken? Token { get; } = token;
}

/// <summary>
/// Signs and reads link tokens with ASP.NET Core Data Protection. The expiry is inside the signed payload, so an
/// expired link is told apart from a forged one.
/// </summary>
public sealed class LinkTokens(IDataProtectionProvider provider, MailLinkOptions options, IClock clock)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Feedback.Links.v1");

    /// <summary>A new signed token for the request, valid for its kind's lifetime.</summary>
    public string Issue(ActionLinkRequest request)
    {
        var lifetime = request.Kind switch
        {
            ActionLinkKind.StaffTask => options.StaffTaskLifetime,
            ActionLinkKind.Survey => options.SurveyLifetime,
            ActionLinkKind.SetPassword => options.SetPasswordLifetime,
            _ => options.CasePageLifetime,
        };
        var token = new LinkToken(request.LinkId ?? NewId(), request.Kind, request.Subject, request.CaseNumber,
            request.UserName, clock.UtcNow + lifetime);
        return _protector.Protect(JsonSerializer.Serialize(token, Json));
    }

    /// <summary>A random link id, as <see cref="Issue"/> draws one.</summary>
    public static string NewId() => RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>The genuine, unexpired token.</summary>
    /// <exception cref="LinkRejectedException">Forged (or damaged) or expired.</exception>
    public LinkToken Read(string? text)
    {
        LinkToken? token;
        try
        {
            token = string.IsNullOrWhiteSpace(text) || text.Length > 4096 ? null : JsonSerializer.Deserialize<LinkToken>(_protector.Unprotect(text), Json);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            token = null;
        }
        if (token is null) throw new LinkRejectedException(LinkProblem.Forged);
        if (token.ExpiresAt <= clock.UtcNow) throw new LinkRejectedException(LinkProblem.Expired, token);
        return token;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
