using MailKit.Security;

namespace Feedback.Activities.Intake.Mail;

/// <summary>The mailbox that e-mail feedback arrives in (<c>Email:Imap:*</c>); without a host, e-mail intake is off.</summary>
public sealed class MailIntakeOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 993;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>None, StartTls, SslOnConnect or Auto (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;
    /// <summary>The folder new mail is read from.</summary>
    public string Folder { get; set; } = "INBOX";
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Where processed mail is moved to; null leaves it in <see cref="Folder"/>, marked with <see cref="MailKeywords.Processed"/>.</summary>
    public string? ProcessedFolder { get; set; }
    /// <summary>Where mail that cannot become feedback is moved to; null leaves it in place, marked with <see cref="MailKeywords.Rejected"/>.</summary>
    public string? RejectedFolder { get; set; }
    /// <summary>Larger messages are rejected without being downloaded.</summary>
    public long MaxMessageBytes { get; set; } = 10 * 1024 * 1024;
    /// <summary>Messages handled per pass, so that one pass holds the intake lock for a bounded time.</summary>
    public int BatchSize { get; set; } = 50;
    /// <summary>Passes that may fail on one message for an unforeseen reason before it is set aside as rejected.</summary>
    public int MaxAttempts { get; set; } = 3;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (Port is <= 0 or > 65535) throw new ArgumentException($"Email:Imap:Port is {Port}; use 1 to 65535.", nameof(Port));
        if (string.IsNullOrWhiteSpace(Folder)) throw new ArgumentException("Email:Imap:Folder is blank; leave it out for INBOX.", nameof(Folder));
        if (PollInterval < TimeSpan.FromSeconds(1)) throw new ArgumentException($"Email:Imap:PollInterval is {PollInterval}; use at least one second.", nameof(PollInterval));
        if (MaxMessageBytes < 1024) throw new ArgumentException("Email:Imap:MaxMessageBytes must be at least 1024.", nameof(MaxMessageBytes));
        if (BatchSize < 1) throw new ArgumentException("Email:Imap:BatchSize must be at least 1.", nameof(BatchSize));
        if (MaxAttempts < 1) throw new ArgumentException("Email:Imap:MaxAttempts must be at least 1.", nameof(MaxAttempts));
    }
}

/// <summary>The IMAP keywords intake leaves on messages it has dealt with; a message with either is never read again.</summary>
public static class MailKeywords
{
    public const string Processed = "$FeedbackProcessed";
    public const string Rejected = "$FeedbackRejected";
}
