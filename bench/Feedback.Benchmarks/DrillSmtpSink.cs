using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace Feedback.Benchmarks;

/// <summary>
/// One message the sink accepted: its Message-ID, the headers the drill judges by, and for a survey the path of the
/// link the customer follows (<c>/l/...</c>, served by every host).
/// </summary>
internal sealed record SinkMail(string MessageId, string? CaseNumber, string? Kind, string To, string Subject, DateTimeOffset At, string? LinkPath = null);

/// <summary>
/// A minimal SMTP server on loopback that every host of the drill delivers to. It records a message only when the
/// whole DATA part arrived and answers 250 after recording it, as a real server accepts responsibility for a message
/// with that reply; a client killed mid-message leaves nothing recorded.
/// </summary>
/// <remarks>
/// In process rather than a separate server so that counting needs no mailbox parsing afterwards and the drill has no
/// dependency beyond .NET. It speaks plain SMTP (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP,
/// QUIT), which MailKit's client uses unchanged with <c>Security = None</c>.
/// </remarks>
internal sealed partial class DrillSmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(byte[] Data, DateTimeOffset At)> _received = new();
    private readonly List<SinkMail> _mail = [];
    private readonly Task _accepting;

    public DrillSmtpSink()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>Every accepted message, in order of acceptance (resends included).</summary>
    /// <remarks>
    /// Read from the bytes kept at acceptance only when asked for: parsing before the answer would widen the time
    /// between the acceptance and the host's hearing of it, the window in which a kill makes a resend.
    /// </remarks>
    public IReadOnlyList<SinkMail> Mail
    {
        get
        {
            lock (_mail)
            {
                while (_received.TryDequeue(out var received)) _mail.Add(Parse(received.Data, received.At));
                return _mail.ToArray();
            }
        }
    }

    private int _sessionsCut;

    /// <summary>Sessions that ended without QUIT: normal when a host is killed mid-session.</summary>
    public int SessionsCut => Volatile.Read(ref _sessionsCut);

    private readonly ConcurrentDictionary<string, TimeSpan> _acceptedThenCut = new();

    /// <summary>
    /// Message-IDs accepted last in a session that then ended without another command, with the time from the
    /// acceptance to the end: the host was killed that long after the sink accepted the message. A resend of one cut
    /// within moments is SMTP's own window (the host may not have read the answer); any other resend is the host's fault.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> AcceptedThenCut => new Dictionary<string, TimeSpan>(_acceptedThenCut);

    private async Task AcceptAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(stop); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = ServeAsync(client, stop);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        byte[]? lastAccepted = null;
        var acceptedAt = 0L;
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new LineReader(stream);
                await WriteAsync(stream, "220 drill-sink ESMTP", stop);
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    lastAccepted = null; // the client moved on, so it had the answer
                    var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO": await WriteAsync(stream, "250-drill-sink\r\n250-8BITMIME\r\n250 SMTPUTF8", stop); break;
                        case "HELO": await WriteAsync(stream, "250 drill-sink", stop); break;
                        case "MAIL" or "RCPT" or "RSET" or "NOOP": await WriteAsync(stream, "250 OK", stop); break;
                        case "DATA":
                            await WriteAsync(stream, "354 end with <CRLF>.<CRLF>", stop);
                            var data = await reader.ReadDataAsync(stop);
                            if (data is null) { Interlocked.Increment(ref _sessionsCut); return; }
                            // Kept as received (the acceptance), answered, and only read later.
                            _received.Enqueue((data, DateTimeOffset.UtcNow));
                            lastAccepted = data;
                            acceptedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                            await WriteAsync(stream, "250 accepted", stop);
                            break;
                        case "QUIT": lastAccepted = null; await WriteAsync(stream, "221 bye", stop); return;
                        default: await WriteAsync(stream, "502 not implemented", stop); break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A host killed mid-session: whatever it had not finished sending was never accepted.
                Interlocked.Increment(ref _sessionsCut);
            }
            // Ended without QUIT (an exception, or the connection closed by a killed process) right after an acceptance.
            if (lastAccepted is not null)
                _acceptedThenCut[Parse(lastAccepted, DateTimeOffset.UtcNow).MessageId] = System.Diagnostics.Stopwatch.GetElapsedTime(acceptedAt);
        }
    }

    private static SinkMail Parse(byte[] data, DateTimeOffset at)
    {
        var message = MimeMessage.Load(new MemoryStream(data));
        var kind = message.Headers["X-Feedback-Message"];
        var link = kind == SurveyKind && LinkPathPattern().Match(message.TextBody ?? "") is { Success: true } match ? match.Value : null;
        return new SinkMail(message.MessageId ?? "", message.Headers["X-Feedback-Case"], kind,
            message.To.Mailboxes.FirstOrDefault()?.Address ?? "", message.Subject ?? "", at, link);
    }

    /// <summary>The <c>X-Feedback-Message</c> of the satisfaction survey mail.</summary>
    public const string SurveyKind = "Survey";

    [GeneratedRegex(@"/l/[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPathPattern();

    private static Task WriteAsync(NetworkStream stream, string reply, CancellationToken stop) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), stop).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>Reads CRLF-terminated lines and the DATA part as bytes, from one buffered stream.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        /// <summary>The next line without its CRLF; null at the end of the stream.</summary>
        public async Task<string?> ReadLineAsync(CancellationToken stop) =>
            await ReadRawLineAsync(stop) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

        /// <summary>The message up to the lone "." line, dot-stuffing removed; null when the stream ends first.</summary>
        public async Task<byte[]?> ReadDataAsync(CancellationToken stop)
        {
            var message = new MemoryStream();
            while (await ReadRawLineAsync(stop) is { } line)
            {
                if (line.Length == 1 && line[0] == (byte)'.') return message.ToArray();
                var offset = line.Length > 0 && line[0] == (byte)'.' ? 1 : 0;
                message.Write(line, offset, line.Length - offset);
                message.Write("\r\n"u8);
            }
            return null;
        }

        private async Task<byte[]?> ReadRawLineAsync(CancellationToken stop)
        {
            var line = new MemoryStream();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                {
                    if (_buffer[i] != (byte)'\n') continue;
                    var length = i - _start;
                    line.Write(_buffer, _start, length);
                    _start = i + 1;
                    var bytes = line.ToArray();
                    return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
                }
                line.Write(_buffer, _start, _end - _start);
                _start = 0;
                _end = await stream.ReadAsync(_buffer, stop);
                if (_end == 0) return null;
            }
        }
    }
}
