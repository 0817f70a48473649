using Feedback.Activities.Links;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Feedback.Host.Links;

/// <summary>Mints absolute link URLs (<c>{base}/l/{token}</c>) for mail.</summary>
internal sealed class ActionLinkIssuer(LinkTokens tokens, MailLinkOptions options, IServer server) : IActionLinkIssuer
{
    public const string Route = "/l";

    public string Issue(ActionLinkRequest request) => $"{BaseUrl()}{Route}/{tokens.Issue(request)}";

    public string CasePage(string caseNumber) => $"{BaseUrl()}{Pages.Staff.StaffCasePage.Route}/{Uri.EscapeDataString(caseNumber)}";

    /// <summary>
    /// The configured public address, else the first address the host listens on (any-address bindings as localhost),
    /// else http://localhost (a host without a network listener, as in-process tests run).
    /// </summary>
    public string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)) return options.PublicBaseUrl.TrimEnd('/');
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        return address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost").Replace("://*", "://localhost").TrimEnd('/');
    }
}
