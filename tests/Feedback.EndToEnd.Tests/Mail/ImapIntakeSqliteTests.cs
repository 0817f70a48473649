using Feedback.Activities.Intake.Mail;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using MimeKit;
using MimeKit.Utils;

namespace Feedback.EndToEnd.Tests.Mail;

/// <summary>E-mail intake on the embedded default (SQLite, one host) with the shipped general-feedback process.</summary>
public sealed class ImapIntakeSqliteTests : IAsyncLifetime
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "feedback-imap-sqlite-" + Guid.NewGuid().ToString("N"));
    private SmtpSink _smtp = null!;
    private DovecotServer _imap = null!;
    private EmbeddedHost _host = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _imap = await DovecotServer.StartAsync();
        var settings = new Dictionary<string, string>(ShippedWorkflows.HostSettings)
        {
            ["DataFolder"] = _dataFolder,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:From"] = "feedback@cannery.example",
            ["Links:PublicBaseUrl"] = "http://localhost",
        };
        foreach (var (key, value) in _imap.IntakeSettings()) settings[key] = value;
        _host = new EmbeddedHost(settings);
        _ = _host.Services; // starts the host and its intake job
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _imap.DisposeAsync();
        await _smtp.DisposeAsync();
        if (Directory.Exists(_dataFolder)) Directory.Delete(_dataFolder, recursive: true);
    }

    [Fact]
    public async Task Mail_opens_a_case_of_the_shipped_process_and_a_reply_read_twice_is_added_once()
    {
        var message = new MimeMessage { Subject = "罐頭漏液", MessageId = MimeUtils.GenerateMessageId("customer.example") };
        message.From.Add(new MailboxAddress("林小姐", "lin@example.tw"));
        message.To.Add(new MailboxAddress("", "feedback@cannery.example"));
        message.Body = new TextPart("plain") { Text = "我買的鳳梨罐頭漏液了，請處理。" };
        var uid = await _imap.AppendAsync(message);

        var ack = await _smtp.MailToAsync("lin@example.tw", "FB-");
        var number = ack.Headers["X-Feedback-Case"];
        await _imap.WaitForKeywordAsync(uid, MailKeywords.Processed);

        var reply = new MimeMessage { Subject = "RE: " + ack.Subject, MessageId = MimeUtils.GenerateMessageId("customer.example") };
        reply.From.Add(new MailboxAddress("林小姐", "lin@example.tw"));
        reply.To.Add(new MailboxAddress("", "feedback@cannery.example"));
        reply.Body = new TextPart("plain") { Text = "批號 P-0612。" };
        var replyUid = await _imap.AppendAsync(reply);
        await _imap.WaitForKeywordAsync(replyUid, MailKeywords.Processed);
        await _imap.RemoveKeywordAsync(replyUid, MailKeywords.Processed);
        await _imap.WaitForKeywordAsync(replyUid, MailKeywords.Processed);

        var api = _host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", EmbeddedHost.ApiKey);
        var feedback = await api.GetJsonAsync($"/api/feedback/{number}");
        feedback["channel"]!.GetValue<string>().Should().Be("Email");
        feedback["language"]!.GetValue<string>().Should().Be("zh-TW");
        ((string?)feedback["owner"]).Should().NotBeNullOrEmpty("assignment (the least-loaded member) works on SQLite too");
        feedback["history"]!.AsArray().Where(h => (string?)h!["action"] == MailIntakeService.CustomerMessageAction)
            .Should().ContainSingle().Which!["details"]!.GetValue<string>().Should().Contain("批號 P-0612。");
        _smtp.Messages(m => m.Headers["X-Feedback-Message"] == "Acknowledgement").Should().ContainSingle();
    }

    /// <summary>The host as installed: no database settings, so SQLite in the data folder.</summary>
    private sealed class EmbeddedHost(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        public const string ApiKey = "embedded-api-key";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Security:ApiKey", ApiKey);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }
}
