using Feedback.Activities.Links;
using Feedback.Activities.Persistence;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Feedback.Host.Links;

/// <summary>Registers signed mail links: Data Protection with its key ring in the database, tokens, the used-link table.</summary>
internal static class LinkServiceCollectionExtensions
{
    public static IServiceCollection AddFeedbackLinks(this IServiceCollection services, MailLinkOptions options)
    {
        services.AddSingleton(options);
        var dataProtection = services.AddDataProtection().SetApplicationName("Feedback Workflows");
        if (!string.IsNullOrWhiteSpace(options.KeyCertificatePath))
        {
            var certificate = LoadKeyCertificate(options.KeyCertificatePath, options.KeyCertificatePassword);
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<FeedbackDbContext>>())));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "feedback_af";
            o.FormFieldName = "__af";
        });
        services.AddSingleton<LinkTokens>();
        services.AddSingleton<UsedLinks>();
        services.AddSingleton<ActionLinkIssuer>();
        services.AddSingleton<IActionLinkIssuer>(sp => sp.GetRequiredService<ActionLinkIssuer>());
        services.AddHostedService<KeyRingWarmUp>();
        return services;
    }

    /// <exception cref="InvalidOperationException">The file is missing, unreadable, not PKCS#12, or its certificate has no private key.</exception>
    private static X509Certificate2 LoadKeyCertificate(string path, string? password)
    {
        X509Certificate2 certificate;
        try { certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"Links:KeyCertificatePath '{path}' cannot be loaded: {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"Links:KeyCertificatePath '{path}' holds no private key; the link keys cannot be decrypted with it.");
        return certificate;
    }

    /// <summary>
    /// Loads (or creates) the key ring at start-up, after the schema is migrated: a key is then never created in the
    /// middle of a workflow step that mints a link, where SQLite's single writer would make it wait on itself.
    /// </summary>
    private sealed class KeyRingWarmUp(IDataProtectionProvider provider, Feedback.Workflows.Persistence.StartupRetry retry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("link key ring", _ =>
        {
            provider.CreateProtector("Feedback.Links.WarmUp").Protect("warm-up");
            return Task.CompletedTask;
        }, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
