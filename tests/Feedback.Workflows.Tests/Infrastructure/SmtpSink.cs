using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>A real SMTP server on loopback (Debian's aiosmtpd) that keeps every message it receives in a Maildir.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _maildir;

    private SmtpSink(Process process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts aiosmtpd with the interpreter <c>scripts/test.sh</c> found for it, on <paramref name="port"/> or a free one.</summary>
    /// <exception cref="InvalidOperationException">aiosmtpd is not available; the message says how to get it.</exception>
    public static async Task<SmtpSink> StartAsync(int? port = null)
    {
        var python = Environment.GetEnvironmentVariable("FEEDBACK_TEST_SMTP_PYTHON")
            ?? throw new InvalidOperationException("FEEDBACK_TEST_SMTP_PYTHON is not set: run the tests through ./scripts/test.sh, which installs python3-aiosmtpd.");
        // A port picked free can be taken by another process before aiosmtpd binds it; only then is a new one worth a try.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(python, port ?? FreePort());
            }
            catch (PortTakenException) when (port is null && attempt < 5)
            {
            }
        }
    }

    private static async Task<SmtpSink> StartOnAsync(string python, int port)
    {
        var maildir = Directory.CreateTempSubdirectory("feedback-mail-").FullName;
        // aiosmtpd's Maildir handler expects the three Maildir folders to exist already.
        foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        // -d: aiosmtpd logs "Server is listening" once it has bound the port itself. Connecting to the port proves
        // nothing: another test's server may hold it, and this one then exits with "address already in use".
        var process = Process.Start(new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-d", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", maildir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start aiosmtpd.");
        var sink = new SmtpSink(process, maildir, port);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startup = new System.Text.StringBuilder();
        // Both streams are read to the end, so that the debug log of every session never fills a pipe and stalls the server.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null || listening.Task.IsCompleted) return;
            lock (startup) startup.AppendLine(e.Data);
            if (e.Data.Contains($"Server is listening on 127.0.0.1:{port}", StringComparison.Ordinal)) listening.TrySetResult();
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first == listening.Task) return sink;
        string output;
        lock (startup) output = startup.ToString();
        await sink.DisposeAsync();
        if (first != exited) throw new TimeoutException($"aiosmtpd did not listen on port {port} within 30 s:\n{output}");
        if (output.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) throw new PortTakenException(port, output);
        throw new InvalidOperationException("aiosmtpd exited: " + output);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class PortTakenException(int port, string output) : InvalidOperationException($"aiosmtpd could not bind port {port}: {output}");

    /// <summary>Every message received so far, or those matching <paramref name="where"/>, in the order they arrived.</summary>
    /// <remarks>
    /// By the time the server wrote each file: a message's Date header has whole seconds only, and the folder listing
    /// has no order at all, so two mails sent within one second could otherwise come back either way round.
    /// </remarks>
    public IReadOnlyList<MimeMessage> Messages(Func<MimeMessage, bool>? where = null)
    {
        var folder = Path.Combine(_maildir, "new");
        return Directory.Exists(folder)
            ? new DirectoryInfo(folder).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => MimeMessage.Load(f.FullName)).Where(where ?? (_ => true)).ToList()
            : [];
    }

    /// <summary>Waits until at least <paramref name="count"/> (matching) messages arrived (or the time is up) and returns them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout, Func<MimeMessage, bool>? where = null)
    {
        var until = DateTime.UtcNow + timeout;
        while (Messages(where).Count < count && DateTime.UtcNow < until) await Task.Delay(100);
        return Messages(where);
    }

    /// <summary>Mail other than the staff-task mail each opened task sends to whoever may do it, and its overdue reminders.</summary>
    public static bool NotTaskMail(MimeMessage message) => message.Headers["X-Feedback-Message"] is not ("StaffTask" or "TaskReminder" or "TaskReminderCopy");

    /// <summary>
    /// Mail other than task mail (and its overdue reminders) and staff notices: alerts (a food-safety case alerts the complaint desk manager once
    /// classified), helper notices (a helping department's head hears of an assigned case) and note notices (the
    /// member responsible hears of a colleague's note).
    /// </summary>
    public static bool NotTaskMailOrNotice(MimeMessage message) => message.Headers["X-Feedback-Message"] is not ("StaffTask" or "TaskReminder" or "TaskReminderCopy" or "Alert" or "HelperNotice" or "NoteNotice");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        _process.Dispose();
        Directory.Delete(_maildir, recursive: true);
    }
}
