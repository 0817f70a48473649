using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using MimeKit;

namespace Feedback.Activities.Notification;

/// <summary>
/// Keeps a few connected, authenticated SMTP sessions so that each mail does not pay for its own connect, greeting,
/// EHLO, TLS and login. Safe for the outbox's concurrent delivery loops: a session serves one send at a time.
/// </summary>
/// <remarks>
/// A session that failed in any way is closed rather than returned. A reused session whose connection broke (the server
/// may drop an idle client at any time) is retried once on a fresh session; the stable Message-Id makes the rare repeat
/// recognisable, as with the outbox's own retries. A session idle for longer than <see cref="MaxIdle"/> is closed before
/// use, since servers drop idle clients (Postfix after 300 s).
/// </remarks>
public sealed class SmtpConnectionPool(EmailOptions options) : IAsyncDisposable
{
    /// <summary>How long a session may wait unused and still be reused.</summary>
    public static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);

    /// <summary>MailKit's per-operation timeout for these sessions; a stuck server fails the attempt, not the outbox.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(60);

    private const int MaxIdleSessions = 8;
    private readonly ConcurrentBag<IdleSession> _idle = new();
    private int _connects;

    /// <summary>How many connections were opened so far (for diagnostics and tests).</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Sends <paramref name="message"/> on a pooled session, opening one when none is idle.</summary>
    /// <exception cref="InvalidOperationException">No SMTP host is configured.</exception>
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.SmtpHost)) throw new InvalidOperationException("No SMTP host is configured.");
        var (client, reused) = await TakeAsync(cancellationToken);
        try
        {
            await SendOnAsync(client, message, cancellationToken);
        }
        catch (Exception e) when (reused && e is IOException or MailKit.ServiceNotConnectedException or SmtpProtocolException)
        {
            await SendOnAsync(await ConnectAsync(cancellationToken), message, cancellationToken);
        }
    }

    /// <summary>Sends on <paramref name="client"/>, then keeps it for the next mail; a session that failed is closed.</summary>
    private async Task SendOnAsync(SmtpClient client, MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync(message, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        Return(client);
    }

    private async Task<(SmtpClient Client, bool Reused)> TakeAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.Client.IsConnected && DateTimeOffset.UtcNow - idle.Since < MaxIdle) return (idle.Client, true);
            await CloseAsync(idle.Client);
        }
        return (await ConnectAsync(cancellationToken), false);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)OperationTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.SmtpHost!, options.SmtpPort, options.Security, cancellationToken);
            if (!string.IsNullOrEmpty(options.Username)) await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        Interlocked.Increment(ref _connects);
        return client;
    }

    private void Return(SmtpClient client)
    {
        if (client.IsConnected && _idle.Count < MaxIdleSessions) _idle.Add(new IdleSession(client, DateTimeOffset.UtcNow));
        else _ = CloseAsync(client);
    }

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or SmtpCommandException or OperationCanceledException or TimeoutException)
        {
            // Saying goodbye to a server that already dropped us is not a failure of any mail.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var idle)) await CloseAsync(idle.Client);
    }

    private sealed record IdleSession(SmtpClient Client, DateTimeOffset Since);
}
