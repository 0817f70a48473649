using Feedback.Activities.Notification;
using Feedback.Workflows.Tests.Infrastructure;
using MailKit.Security;
using MimeKit;

namespace Feedback.Activities.Tests.Notification;

/// <summary>Reusing SMTP sessions against a real server (aiosmtpd), including one that went away between mails.</summary>
public sealed class SmtpConnectionPoolTests
{
    private static EmailOptions Options(int port) => new() { SmtpHost = "127.0.0.1", SmtpPort = port, Security = SecureSocketOptions.None };

    private static MimeMessage Mail(string id)
    {
        var message = new MimeMessage { MessageId = $"{id}@pool.test", Subject = id, Body = new TextPart("plain") { Text = "Hello " + id } };
        message.From.Add(MailboxAddress.Parse("feedback@cannery.example"));
        message.To.Add(MailboxAddress.Parse("customer@example.com"));
        return message;
    }

    [Fact]
    public async Task Mails_sent_one_after_another_share_one_connection()
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var pool = new SmtpConnectionPool(Options(smtp.Port));

        for (var i = 1; i <= 5; i++) await pool.SendAsync(Mail("seq" + i), CancellationToken.None);

        var received = await smtp.WaitForAsync(5, TimeSpan.FromSeconds(10));
        received.Select(m => m.MessageId).Should().BeEquivalentTo(Enumerable.Range(1, 5).Select(i => $"seq{i}@pool.test"));
        pool.Connects.Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_sends_each_arrive_once_on_at_most_as_many_connections()
    {
        await using var smtp = await SmtpSink.StartAsync();
        await using var pool = new SmtpConnectionPool(Options(smtp.Port));

        await Task.WhenAll(Enumerable.Range(1, 12).Select(i => pool.SendAsync(Mail("par" + i), CancellationToken.None)));

        var received = await smtp.WaitForAsync(12, TimeSpan.FromSeconds(10));
        received.Select(m => m.MessageId).Should().OnlyHaveUniqueItems().And.HaveCount(12);
        pool.Connects.Should().BeInRange(1, 12);
    }

    [Fact]
    public async Task A_session_the_server_dropped_is_replaced_and_the_mail_still_goes_once()
    {
        var first = await SmtpSink.StartAsync();
        var port = first.Port;
        await using var pool = new SmtpConnectionPool(Options(port));
        await pool.SendAsync(Mail("before"), CancellationToken.None);
        (await first.WaitForAsync(1, TimeSpan.FromSeconds(10))).Should().ContainSingle();
        // The server goes away while the pool holds its idle session; a new one listens on the same port.
        await first.DisposeAsync();
        await using var second = await SmtpSink.StartAsync(port);

        await pool.SendAsync(Mail("after"), CancellationToken.None);

        var received = await second.WaitForAsync(1, TimeSpan.FromSeconds(10));
        received.Select(m => m.MessageId).Should().Equal("after@pool.test");
        pool.Connects.Should().Be(2);
    }

    [Fact]
    public async Task Without_an_smtp_host_the_pool_refuses_to_send()
    {
        await using var pool = new SmtpConnectionPool(new EmailOptions());
        var send = () => pool.SendAsync(Mail("none"), CancellationToken.None);
        await send.Should().ThrowAsync<InvalidOperationException>().WithMessage("*No SMTP host*");
    }
}
