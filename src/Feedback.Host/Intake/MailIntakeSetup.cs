using System.Globalization;
using Feedback.Activities.Intake.Mail;
using Feedback.Host.Links;
using Feedback.Host.Pages.Intake;
using MailKit.Security;

namespace Feedback.Host.Intake;

/// <summary>E-mail intake as the host configures it: <c>Email:Imap:*</c>, with mailed pictures kept as photos the host serves.</summary>
internal static class MailIntakeSetup
{
    public static IServiceCollection AddHostMailIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IPhotoLinks, PhotoLinks>();
        return services.AddFeedbackMailIntake(Read(configuration.GetSection("Email:Imap")));
    }

    /// <summary>Host, Port, Username, Password, Security, Folder, PollInterval, ProcessedFolder, RejectedFolder, MaxMessageBytes.</summary>
    /// <exception cref="InvalidOperationException">A setting is not understood; the message names it.</exception>
    internal static MailIntakeOptions Read(IConfigurationSection imap)
    {
        var options = new MailIntakeOptions
        {
            Host = string.IsNullOrWhiteSpace(imap["Host"]) ? null : imap["Host"]!.Trim(),
            Username = imap["Username"],
            Password = imap["Password"],
            Folder = imap["Folder"] is { Length: > 0 } folder ? folder : "INBOX",
            ProcessedFolder = string.IsNullOrWhiteSpace(imap["ProcessedFolder"]) ? null : imap["ProcessedFolder"],
            RejectedFolder = string.IsNullOrWhiteSpace(imap["RejectedFolder"]) ? null : imap["RejectedFolder"],
        };
        var security = imap["Security"];
        options.Security = string.IsNullOrWhiteSpace(security) ? SecureSocketOptions.Auto
            : Enum.TryParse<SecureSocketOptions>(security, ignoreCase: true, out var s) ? s
            : throw new InvalidOperationException($"Email:Imap:Security is '{security}'; use None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect.");
        if (imap["Port"] is { Length: > 0 } port)
            options.Port = int.TryParse(port, CultureInfo.InvariantCulture, out var p) ? p : throw new InvalidOperationException($"Email:Imap:Port is '{port}'; use a port number.");
        else if (options.Security is SecureSocketOptions.None or SecureSocketOptions.StartTls or SecureSocketOptions.StartTlsWhenAvailable)
            options.Port = 143;
        if (imap["PollInterval"] is { Length: > 0 } interval)
            options.PollInterval = TimeSpan.TryParse(interval, CultureInfo.InvariantCulture, out var t) ? t : throw new InvalidOperationException($"Email:Imap:PollInterval is '{interval}'; use hh:mm:ss.");
        if (imap["MaxMessageBytes"] is { Length: > 0 } max)
            options.MaxMessageBytes = long.TryParse(max, CultureInfo.InvariantCulture, out var m) ? m : throw new InvalidOperationException($"Email:Imap:MaxMessageBytes is '{max}'; use a number of bytes.");
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        return options;
    }

    /// <summary>Links to photos at <see cref="PhotoStore.Route"/>, on the address mail links use.</summary>
    private sealed class PhotoLinks(ActionLinkIssuer links) : IPhotoLinks
    {
        public string LinkFor(string photoId) => $"{links.BaseUrl()}{PhotoStore.Route}/{photoId}";
    }
}
