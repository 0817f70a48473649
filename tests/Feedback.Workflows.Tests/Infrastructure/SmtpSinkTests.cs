using System.Net.Sockets;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>The loopback SMTP server the mail tests use is theirs, never whatever else holds its port.</summary>
public sealed class SmtpSinkTests
{
    [Fact]
    public async Task A_port_held_by_another_server_is_refused_not_mistaken_for_the_sinks()
    {
        using var other = new TcpListener(System.Net.IPAddress.Loopback, 0);
        other.Start();
        var taken = ((System.Net.IPEndPoint)other.LocalEndpoint).Port;

        await FluentActions.Awaiting(() => SmtpSink.StartAsync(taken)).Should().ThrowAsync<InvalidOperationException>().WithMessage($"*could not bind port {taken}*");

        await using var sink = await SmtpSink.StartAsync();
        sink.Port.Should().NotBe(taken);
        using var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, sink.Port);
    }
}
