using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real IMAP server on loopback: Debian's Dovecot as an unprivileged process with a throw-away configuration
/// (passwd-file login, one Maildir user in a temporary folder, a free high port, no TLS).
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    public const string UserName = "intake";
    private readonly Process _process;
    private readonly string _folder;

    private DovecotServer(Process process, string folder, int port, string password)
    {
        _process = process;
        _folder = folder;
        Port = port;
        Password = password;
    }

    public int Port { get; }
    public string Password { get; }

    /// <summary>Host settings that point e-mail intake at this server, polling every second.</summary>
    public Dictionary<string, string> IntakeSettings(long maxMessageBytes = 64 * 1024) => IntakeSettings(Port, Password, maxMessageBytes);

    /// <summary>Host settings for a server that is to listen on <paramref name="port"/> with <paramref name="password"/>.</summary>
    public static Dictionary<string, string> IntakeSettings(int port, string password, long maxMessageBytes = 64 * 1024) => new()
    {
        ["Email:Imap:Host"] = "127.0.0.1",
        ["Email:Imap:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Imap:Security"] = "None",
        ["Email:Imap:Username"] = UserName,
        ["Email:Imap:Password"] = password,
        ["Email:Imap:PollInterval"] = "00:00:01",
        ["Email:Imap:MaxMessageBytes"] = maxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Starts Dovecot; as root it runs under an unprivileged account (<c>FEEDBACK_TEST_DOVECOT_USER</c>, else <c>feedbacktest</c> or <c>nobody</c>).</summary>
    /// <exception cref="InvalidOperationException">Dovecot is not installed or did not start; the message says why.</exception>
    /// <param name="port">The port to listen on; a free one when null.</param>
    /// <param name="password">The mailbox password; a random one when null.</param>
    public static async Task<DovecotServer> StartAsync(int? port = null, string? password = null)
    {
        var binary = Environment.GetEnvironmentVariable("FEEDBACK_TEST_DOVECOT") ?? "/usr/sbin/dovecot";
        if (!File.Exists(binary))
            throw new InvalidOperationException($"{binary} not found: install the Debian package 'dovecot-imapd' (./scripts/test.sh does when run as root).");
        var root = Environment.UserName == "root";
        var account = root ? Environment.GetEnvironmentVariable("FEEDBACK_TEST_DOVECOT_USER") ?? (Account("feedbacktest") is not null ? "feedbacktest" : "nobody") : Environment.UserName;
        var (uid, gid, group) = Account(account) ?? throw new InvalidOperationException($"No account '{account}' to run Dovecot as.");

        var folder = Path.Combine("/tmp", "feedback-imap-" + Guid.NewGuid().ToString("N"));
        foreach (var sub in new[] { "base", "state", "mail" }) Directory.CreateDirectory(Path.Combine(folder, sub));
        port ??= FreePort();
        password ??= RandomNumberGenerator.GetHexString(16, lowercase: true);
        await File.WriteAllTextAsync(Path.Combine(folder, "passwd"), $"{UserName}:{{PLAIN}}{password}::::{folder}/mail/{UserName}::\n");
        var config = Path.Combine(folder, "dovecot.conf");
        await File.WriteAllTextAsync(config, $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{folder}}/base
            state_dir = {{folder}}/state
            log_path = {{folder}}/dovecot.log
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain
            default_internal_user = {{account}}
            default_internal_group = {{group}}
            default_login_user = {{account}}
            mail_location = maildir:~/Maildir
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{folder}}/passwd
            }
            userdb {
              driver = static
              args = uid={{uid}} gid={{gid}} home={{folder}}/mail/%u
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = {{port.Value}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }
            """);
        if (root) await RunAsync("chown", "-R", $"{uid}:{gid}", folder);

        var start = root
            ? new ProcessStartInfo("setpriv", ["--reuid", uid.ToString(), "--regid", gid.ToString(), "--clear-groups", "--", binary, "-F", "-c", config])
            : new ProcessStartInfo(binary, ["-F", "-c", config]);
        start.RedirectStandardError = start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Dovecot.");
        var server = new DovecotServer(process, folder, port.Value, password);
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                var log = File.Exists(Path.Combine(folder, "dovecot.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "dovecot.log")) : "";
                throw new InvalidOperationException($"Dovecot exited: {await process.StandardError.ReadToEndAsync()} {log}");
            }
            try
            {
                using var client = await ConnectAsync(port.Value, password);
                return server;
            }
            catch (Exception e) when (e is SocketException or IOException or ImapProtocolException or AuthenticationException) { await Task.Delay(100); }
        }
        await server.DisposeAsync();
        throw new TimeoutException("Dovecot did not accept a login within 10 s.");
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Creates a mail folder beside the inbox.</summary>
    public async Task CreateFolderAsync(string name)
    {
        using var client = await ConnectAsync(Port, Password);
        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        await personal.CreateAsync(name, isMessageFolder: true);
    }

    /// <summary>How many messages a folder holds.</summary>
    public async Task<int> CountAsync(string folderName)
    {
        using var client = await ConnectAsync(Port, Password);
        var folder = await client.GetFolderAsync(folderName);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        return folder.Count;
    }

    /// <summary>Puts a message into the inbox, as a mail delivery would, and returns its UID.</summary>
    public async Task<UniqueId> AppendAsync(MimeMessage message)
    {
        using var client = await ConnectAsync(Port, Password);
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        return await inbox.AppendAsync(message, MessageFlags.None) ?? throw new InvalidOperationException("The server returned no UID for the appended message.");
    }

    /// <summary>The keywords of a message in the inbox (e.g. <c>$FeedbackProcessed</c>).</summary>
    public async Task<IReadOnlySet<string>> KeywordsAsync(UniqueId uid)
    {
        using var client = await ConnectAsync(Port, Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        // Another session (a host) changing the flags meanwhile can add an unsolicited FETCH for the same message, so
        // more than one summary may come back; the last one naming the UID is the newest state.
        var summaries = await client.Inbox.FetchAsync([uid], MessageSummaryItems.Flags | MessageSummaryItems.UniqueId);
        return (summaries.LastOrDefault(s => s.UniqueId == uid) ?? summaries.Last()).Keywords;
    }

    /// <summary>Waits until the message carries <paramref name="keyword"/>; fails after 60 s.</summary>
    public async Task WaitForKeywordAsync(UniqueId uid, string keyword)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await KeywordsAsync(uid)).Contains(keyword))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Message {uid} did not get {keyword} within 60 s; it has: {string.Join(" ", await KeywordsAsync(uid))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Takes a keyword off again, as if the host had stopped before storing it.</summary>
    public async Task RemoveKeywordAsync(UniqueId uid, string keyword)
    {
        using var client = await ConnectAsync(Port, Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await client.Inbox.RemoveFlagsAsync(uid, MessageFlags.None, new HashSet<string> { keyword }, silent: true);
    }

    /// <summary>UIDs of inbox messages that carry none of the given keywords.</summary>
    public async Task<IList<UniqueId>> WithoutAsync(params string[] keywords)
    {
        using var client = await ConnectAsync(Port, Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        return await client.Inbox.SearchAsync(SearchQuery.NotKeywords(keywords));
    }

    private static async Task<ImapClient> ConnectAsync(int port, string password)
    {
        var client = new ImapClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
            await client.AuthenticateAsync(UserName, password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>uid, gid and group name of an account, from /etc/passwd and /etc/group.</summary>
    private static (int Uid, int Gid, string Group)? Account(string name)
    {
        var line = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == name);
        if (line is null) return null;
        var gid = int.Parse(line[3], System.Globalization.CultureInfo.InvariantCulture);
        var group = File.ReadLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == line[3])?[0] ?? line[3];
        return (int.Parse(line[2], System.Globalization.CultureInfo.InvariantCulture), gid, group);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false }) ?? throw new InvalidOperationException($"Could not run {file}.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
