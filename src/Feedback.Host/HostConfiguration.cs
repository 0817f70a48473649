using System.Security.Cryptography;
using Feedback.Workflows;

namespace Feedback.Host;

/// <summary>Reads the host's settings, falling back to the embedded single-process default when nothing is configured.</summary>
internal sealed record HostConfiguration(DatabaseProvider Provider, string ConnectionString, string ApiKey, bool ApiKeyGenerated, string? ShippedDefinitionsFolder, string? OrganizationSeedFile)
{
    public static HostConfiguration Read(IConfiguration configuration, IHostEnvironment environment)
    {
        var providerText = configuration["Database:Provider"];
        var provider = string.IsNullOrWhiteSpace(providerText) ? DatabaseProvider.Sqlite
            : Enum.TryParse<DatabaseProvider>(providerText, ignoreCase: true, out var p) ? p
            : throw new InvalidOperationException($"Database:Provider is '{providerText}'; use Sqlite or PostgreSql.");
        var dataFolder = Path.GetFullPath(configuration["DataFolder"] ?? Path.Combine(environment.ContentRootPath, "data"));
        var connection = configuration.GetConnectionString("Feedback");
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (provider == DatabaseProvider.PostgreSql)
                throw new InvalidOperationException("Database:Provider is PostgreSql but ConnectionStrings:Feedback is empty; set ConnectionStrings__Feedback.");
            connection = $"Data Source={Path.Combine(dataFolder, "feedback.db")}";
        }

        var apiKey = configuration["Security:ApiKey"];
        var generated = false;
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            // A fresh clone must work without setup; the key is kept so that restarts do not invalidate it.
            Directory.CreateDirectory(dataFolder);
            var keyFile = Path.Combine(dataFolder, "dev-api-key.txt");
            if (File.Exists(keyFile)) apiKey = File.ReadAllText(keyFile).Trim();
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                apiKey = RandomNumberGenerator.GetHexString(32, lowercase: true);
                File.WriteAllText(keyFile, apiKey);
            }
            generated = true;
        }
        // Empty settings turn the start-up loading off (tests publish their own definitions and directory).
        var shipped = configuration["Workflows:ShippedFolder"] ?? Path.Combine(AppContext.BaseDirectory, "workflows");
        var organization = configuration["Directory:SeedFile"] ?? Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json");
        return new HostConfiguration(provider, connection, apiKey, generated,
            string.IsNullOrWhiteSpace(shipped) ? null : shipped, string.IsNullOrWhiteSpace(organization) ? null : organization);
    }
}
