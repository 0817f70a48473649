using System.Security.Cryptography;
using Feedback.Activities.Notification;
using Feedback.Workflows;
using MailKit.Security;

namespace Feedback.Host;

/// <summary>Reads the host's settings, falling back to the embedded single-process default when nothing is configured.</summary>
/// <param name="ApiKeyFile">Where the development API key is kept when Security:ApiKey is not set; null when it is.</param>
/// <param name="OutboxJournalFolder">Workflows:OutboxJournalFolder, else outbox-journal/ in the data folder: it must outlive the process.</param>
internal sealed record HostConfiguration(DatabaseProvider Provider, string ConnectionString, string ApiKey, string? ApiKeyFile, string? ShippedDefinitionsFolder, string? OrganizationSeedFile, EmailOptions Email, string CustomerKeySecret, string DataFolder, int OutboxConcurrency, string OutboxJournalFolder, TimeSpan DatabaseWaitAtStartup, int MaxConcurrentSteps)
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
        string? keyFile = null;
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            // A fresh clone must work without setup; the key is kept so that restarts do not invalidate it.
            keyFile = Path.Combine(dataFolder, "dev-api-key.txt");
            apiKey = DataFiles.ReadOrCreate(keyFile, () => RandomNumberGenerator.GetHexString(32, lowercase: true), out _);
        }
        // Empty settings turn the start-up loading off (tests publish their own definitions and directory).
        var shipped = configuration["Workflows:ShippedFolder"] ?? Path.Combine(AppContext.BaseDirectory, "workflows");
        var organization = configuration["Directory:SeedFile"] ?? Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json");
        return new HostConfiguration(provider, connection, apiKey, keyFile,
            string.IsNullOrWhiteSpace(shipped) ? null : shipped, string.IsNullOrWhiteSpace(organization) ? null : organization,
            ReadEmail(configuration, dataFolder), ReadOrCreateSecret(configuration["Privacy:CustomerKeySecret"], dataFolder, "customer-key-secret.txt"), dataFolder,
            ReadWholeNumber(configuration, "Workflows:OutboxConcurrency", new WorkflowRuntimeOptions().OutboxConcurrency, 1, 64),
            Path.GetFullPath(configuration["Workflows:OutboxJournalFolder"] is { Length: > 0 } journal ? journal : Path.Combine(dataFolder, "outbox-journal")),
            ReadDatabaseWait(configuration["Database:WaitAtStartup"]),
            ReadWholeNumber(configuration, "Workflows:MaxConcurrentSteps", WorkflowRuntimeOptions.DefaultMaxConcurrentSteps, 1, 1024));
    }

    /// <summary>Database:WaitAtStartup, how long start-up waits for an unreachable database server (default 2 minutes).</summary>
    private static TimeSpan ReadDatabaseWait(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new WorkflowRuntimeOptions().DatabaseWaitAtStartup;
        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var wait) && wait >= TimeSpan.Zero && wait <= TimeSpan.FromHours(1) ? wait
            : throw new InvalidOperationException($"Database:WaitAtStartup is '{text}'; use a time span from 00:00:00 to 01:00:00, e.g. 00:02:00.");
    }

    /// <summary>A whole-number setting within a range; empty gives the default.</summary>
    private static int ReadWholeNumber(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
            : throw new InvalidOperationException($"{key} is '{text}'; use a whole number from {min} to {max}.");
    }

    /// <summary>
    /// A configured secret, or one generated once and kept in the data folder: the customer key must stay the same
    /// across restarts, or repeat complaints would no longer be recognised.
    /// </summary>
    private static string ReadOrCreateSecret(string? configured, string dataFolder, string fileName)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return DataFiles.ReadOrCreate(Path.Combine(dataFolder, fileName), () => RandomNumberGenerator.GetHexString(64, lowercase: true), out _);
    }

    /// <summary>Email:Smtp:Host/Port/Username/Password/Security and Email:From; without a host, mail is kept in data/dev-mail.</summary>
    private static EmailOptions ReadEmail(IConfiguration configuration, string dataFolder)
    {
        var smtp = configuration.GetSection("Email:Smtp");
        var security = smtp["Security"];
        return new EmailOptions
        {
            SmtpHost = smtp["Host"],
            SmtpPort = int.TryParse(smtp["Port"], out var port) ? port : 25,
            Username = smtp["Username"],
            Password = smtp["Password"],
            Security = string.IsNullOrWhiteSpace(security) ? SecureSocketOptions.Auto
                : Enum.TryParse<SecureSocketOptions>(security, ignoreCase: true, out var s) ? s
                : throw new InvalidOperationException($"Email:Smtp:Security is '{security}'; use None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect."),
            From = configuration["Email:From"] ?? "feedback@localhost",
            FromName = configuration["Email:FromName"] ?? "Customer feedback",
            DevMailboxFolder = Path.Combine(dataFolder, "dev-mail"),
        };
    }
}
