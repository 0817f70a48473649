using Feedback.Activities.Links;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Feedback.Host.Links;

/// <summary>Mints absolute link URLs (<c>{base}/l/{token}</c>) for mail.</summary>
internal sealed class ActionLinkIssuer(LinkTokens tokens, MailLinkOptions options, IServer server) : IActionLinkIssuer
{
    public const string Route = "/l";

    public string Issue(ActionLinkRequest request) => $"{BaseUrl()}{Route}/{tokens.Issue(request)}";

    /// <summary>The configured public address, else the first address the host listens on (any-address bindings as localhost).</summary>
    /// <exception cref="InvalidOperationException">Neither is known yet.</exception>
    private string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)) return options.PublicBaseUrl.TrimEnd('/');
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Links:PublicBaseUrl is not set and the host's address is not known yet; set Links:PublicBaseUrl.");
        return address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost").Replace("://*", "://localhost").TrimEnd('/');
    }
}
