using System.Text.Json.Nodes;
using Feedback.Activities.Intake.Mail;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using MimeKit;
using MimeKit.Utils;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Feedback.EndToEnd.Tests.Mail;

/// <summary>
/// E-mail intake against a real IMAP server (Dovecot) and a real SMTP server, on PostgreSQL: mail becomes cases,
/// replies join their case, each mail is stored once however often it is read, and bad mail is set aside.
/// </summary>
public sealed class ImapIntakeTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private DovecotServer _imap = null!;
    private readonly List<StudioTestHost> _hosts = [];
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _imap = await DovecotServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _imap.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Starts a host whose intake reads <paramref name="imap"/> (default: the test's server); the first one publishes the process.</summary>
    private async Task StartHostAsync(Dictionary<string, string>? imap = null)
    {
        var settings = LinkFlow.HostSettings(_smtp.Port, "http://localhost");
        foreach (var (key, value) in imap ?? _imap.IntakeSettings()) settings[key] = value;
        var host = new StudioTestHost(_database.ConnectionString, kestrel: false, settings);
        _hosts.Add(host);
        var api = host.Api(); // builds and starts the host, and with it the intake job
        if (_hosts.Count > 1) return;
        _api = api;
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
    }

    [Fact]
    public async Task New_mail_becomes_an_email_case_with_its_photo_and_the_customer_gets_the_acknowledgement()
    {
        await StartHostAsync();
        var message = Mail("Li Wei", "li.wei@example.cn", "Swollen can of peaches", "The can I bought on Monday was swollen.\nOn Mon, Shop <shop@example.cn> wrote:");
        var body = (TextPart)message.Body!;
        var mixed = new Multipart("mixed") { body };
        mixed.Add(Attachment("can.png", "image", "png", Png));
        mixed.Add(Attachment("receipt.pdf", "application", "pdf", "%PDF-1.4 receipt"u8.ToArray()));
        message.Body = mixed;
        var uid = await _imap.AppendAsync(message);

        var ack = await _smtp.MailToAsync("li.wei@example.cn", "FB-");
        ack.Headers["X-Feedback-Message"].Should().Be("Acknowledgement");
        var number = ack.Headers["X-Feedback-Case"];
        var feedback = await _api.GetJsonAsync($"/api/feedback/{number}");
        feedback["channel"]!.GetValue<string>().Should().Be("Email");
        (await ScalarAsync<string>($"SELECT customer_name || ' ' || customer_email FROM feedback_cases WHERE number = '{number}'")).Should().Be("Li Wei li.wei@example.cn");
        feedback["language"]!.GetValue<string>().Should().Be("en");
        feedback["title"]!.GetValue<string>().Should().Be("Swollen can of peaches");
        var content = feedback["content"]!.GetValue<string>();
        content.Should().Contain("The can I bought on Monday was swollen.").And.Contain("[Attachments not kept: receipt.pdf]");
        content.Should().Contain("Shop ‹shop@example.cn>", "a quoted address is kept as text, not refused as markup");
        var photo = feedback["product"]!["photos"]!.AsArray().Single()!.GetValue<string>();
        photo.Should().StartWith("http://localhost/photos/");
        var fetched = await _api.GetAsync(new Uri(photo).PathAndQuery);
        fetched.Content.Headers.ContentType!.MediaType.Should().Be("image/png");
        (await fetched.Content.ReadAsByteArrayAsync()).Should().Equal(Png);
        feedback["history"]!.AsArray().Should().Contain(h => (string?)h!["action"] == "Registered" && (string?)h!["via"] == MailIntakeService.Via);
        await _imap.WaitForKeywordAsync(uid, MailKeywords.Processed);
    }

    [Fact]
    public async Task A_reply_naming_the_case_joins_it_and_the_same_subject_from_another_address_opens_its_own_case()
    {
        await StartHostAsync();
        await _imap.AppendAsync(Mail("王芳", "wang.fang@example.cn", "罐头胀罐", "我周一买的罐头胀罐了。"));
        var ack = await _smtp.MailToAsync("wang.fang@example.cn", "FB-");
        var number = ack.Headers["X-Feedback-Case"];
        (await _api.GetJsonAsync($"/api/feedback/{number}"))["language"]!.GetValue<string>().Should().Be("zh-CN");

        // The customer answers the acknowledgement from a mail program that sends HTML only.
        var reply = new MimeMessage { Subject = "Re: " + ack.Subject, MessageId = MimeUtils.GenerateMessageId("customer.example") };
        reply.From.Add(new MailboxAddress("王芳", "Wang.Fang@example.cn"));
        reply.To.Add(new MailboxAddress("", "feedback@cannery.example"));
        reply.InReplyTo = ack.MessageId;
        reply.Body = new TextPart("html") { Text = "<html><head><style>p{color:red}</style></head><body><p>批号是 <b>L3-0612</b>。</p><p>谢谢</p></body></html>" };
        var replyUid = await _imap.AppendAsync(reply);
        await _imap.WaitForKeywordAsync(replyUid, MailKeywords.Processed);

        var history = (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray();
        var line = history.Single(h => (string?)h!["action"] == MailIntakeService.CustomerMessageAction)!;
        line["actor"]!.GetValue<string>().Should().Be("customer");
        line["via"]!.GetValue<string>().Should().Be("e-mail");
        line["details"]!.GetValue<string>().Should().Contain("批号是 L3-0612。").And.Contain("谢谢").And.NotContain("color");
        (await CountAsync("SELECT count(*) FROM feedback_cases")).Should().Be(1, "a reply opens no case");

        // Someone else using the same subject gets a case of their own; the first customer's case is untouched.
        var stranger = Mail("Zhao", "zhao@example.com", "Re: " + ack.Subject, "Same problem here.");
        await _imap.AppendAsync(stranger);
        var strangerAck = await _smtp.MailToAsync("zhao@example.com", "FB-");
        strangerAck.Headers["X-Feedback-Case"].Should().NotBe(number);
        (await CountAsync("SELECT count(*) FROM feedback_cases")).Should().Be(2);
        (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray()
            .Count(h => (string?)h!["action"] == MailIntakeService.CustomerMessageAction).Should().Be(1);
        _smtp.Messages(m => m.To.Mailboxes.Any(b => b.Address == "wang.fang@example.cn") && m.Headers["X-Feedback-Message"] == "Acknowledgement")
            .Should().HaveCount(1, "the reply was not acknowledged as new feedback");
    }

    [Fact]
    public async Task A_mail_read_again_after_a_stop_before_marking_is_stored_once()
    {
        await StartHostAsync();
        var original = Mail("Chen Jie", "chen.jie@example.com", "Late delivery", "The parcel came a week late.");
        var uid = await _imap.AppendAsync(original);
        var number = (await _smtp.MailToAsync("chen.jie@example.com", "FB-")).Headers["X-Feedback-Case"];
        await _imap.WaitForKeywordAsync(uid, MailKeywords.Processed);

        // The host stored the case but stopped before the mark reached the server: the next pass reads the mail again.
        await _imap.RemoveKeywordAsync(uid, MailKeywords.Processed);
        await _imap.WaitForKeywordAsync(uid, MailKeywords.Processed);
        // The same mail delivered twice (same Message-ID) is the same feedback.
        var copy = await _imap.AppendAsync(original);
        await _imap.WaitForKeywordAsync(copy, MailKeywords.Processed);

        // A reply read twice is added once.
        var reply = Mail("Chen Jie", "chen.jie@example.com", $"Re: {number}", "Any news?");
        var replyUid = await _imap.AppendAsync(reply);
        await _imap.WaitForKeywordAsync(replyUid, MailKeywords.Processed);
        await _imap.RemoveKeywordAsync(replyUid, MailKeywords.Processed);
        await _imap.WaitForKeywordAsync(replyUid, MailKeywords.Processed);

        (await CountAsync("SELECT count(*) FROM feedback_cases")).Should().Be(1);
        (await CountAsync("SELECT count(*) FROM received_mail")).Should().Be(1);
        (await _api.GetJsonAsync($"/api/feedback/{number}"))["history"]!.AsArray()
            .Count(h => (string?)h!["action"] == MailIntakeService.CustomerMessageAction).Should().Be(1);
        _smtp.Messages(m => m.Headers["X-Feedback-Message"] == "Acknowledgement").Should().HaveCount(1);
    }

    [Fact]
    public async Task Oversized_and_unusable_mail_is_set_aside_and_does_not_hold_up_the_next()
    {
        await StartHostAsync();
        var huge = await _imap.AppendAsync(Mail("Big", "big@example.com", "Scan", new string('x', 100 * 1024)));
        var noSender = new MimeMessage { Subject = "", MessageId = MimeUtils.GenerateMessageId("nowhere.example") };
        noSender.To.Add(new MailboxAddress("", "feedback@cannery.example"));
        noSender.Body = new TextPart("plain") { Text = "" };
        var unusable = await _imap.AppendAsync(noSender);
        var empty = await _imap.AppendAsync(Mail("Blank", "blank@example.com", "", " "));
        var autoReply = Mail("Away", "away@example.com", "Out of office", "I am away until Monday.");
        autoReply.Headers.Add("Auto-Submitted", "auto-replied");
        var automatic = await _imap.AppendAsync(autoReply);
        var good = await _imap.AppendAsync(Mail("Sun Li", "sun.li@example.com", "Rude driver", "The driver shouted at me."));

        await _smtp.MailToAsync("sun.li@example.com", "FB-");
        await _imap.WaitForKeywordAsync(good, MailKeywords.Processed);
        foreach (var uid in new[] { huge, unusable, empty, automatic })
            await _imap.WaitForKeywordAsync(uid, MailKeywords.Rejected);
        (await _imap.WithoutAsync(MailKeywords.Processed, MailKeywords.Rejected)).Should().BeEmpty();
        (await CountAsync("SELECT count(*) FROM feedback_cases")).Should().Be(1);
    }

    [Fact]
    public async Task Two_hosts_reading_one_mailbox_open_one_case_per_mail()
    {
        await StartHostAsync();
        await StartHostAsync();
        var uids = new List<MailKit.UniqueId>();
        for (var i = 0; i < 6; i++)
            uids.Add(await _imap.AppendAsync(Mail($"Customer {i}", $"customer{i}@example.com", $"Complaint {i}", $"Complaint number {i}.")));
        foreach (var uid in uids) await _imap.WaitForKeywordAsync(uid, MailKeywords.Processed);
        (await CountAsync("SELECT count(*) FROM feedback_cases")).Should().Be(6);
        (await CountAsync("SELECT count(DISTINCT customer_email) FROM feedback_cases")).Should().Be(6);
    }

    [Fact]
    public async Task Handled_and_rejected_mail_is_moved_to_the_configured_folders()
    {
        await _imap.CreateFolderAsync("Processed");
        await _imap.CreateFolderAsync("Rejected");
        var settings = _imap.IntakeSettings();
        settings["Email:Imap:ProcessedFolder"] = "Processed";
        settings["Email:Imap:RejectedFolder"] = "Rejected";
        await StartHostAsync(settings);
        await _imap.AppendAsync(Mail("Blank", "blank@example.com", "", ""));
        await _imap.AppendAsync(Mail("Zhou Min", "zhou.min@example.com", "Dented tin", "The tin arrived dented."));

        await _smtp.MailToAsync("zhou.min@example.com", "FB-");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await _imap.CountAsync("INBOX") > 0 && DateTime.UtcNow < until) await Task.Delay(200);
        (await _imap.CountAsync("INBOX")).Should().Be(0);
        (await _imap.CountAsync("Processed")).Should().Be(1);
        (await _imap.CountAsync("Rejected")).Should().Be(1);
    }

    [Fact]
    public async Task A_mail_server_that_is_down_is_tried_again_on_the_next_interval()
    {
        var port = DovecotServer.FreePort();
        const string password = "later-secret";
        await StartHostAsync(DovecotServer.IntakeSettings(port, password));
        // Nothing listens yet: passes fail (and are logged) while the host carries on.
        var poller = _hosts[0].Services.GetRequiredService<MailboxPoller>();
        System.Net.Sockets.SocketException? failure = null;
        for (var i = 0; i < 100 && failure is null; i++)
        {
            try
            {
                // Skipped while the host's own pass holds the intake lock.
                (await poller.RunPassAsync(CancellationToken.None)).Skipped.Should().BeTrue();
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException e) { failure = e; }
        }
        failure.Should().NotBeNull("a pass against a closed port fails with the connection error");
        await Task.Delay(TimeSpan.FromSeconds(2));

        await using var late = await DovecotServer.StartAsync(port, password);
        var uid = await late.AppendAsync(Mail("Xu Lan", "xu.lan@example.com", "Wrong item", "I received the wrong item."));
        await _smtp.MailToAsync("xu.lan@example.com", "FB-");
        await late.WaitForKeywordAsync(uid, MailKeywords.Processed);
    }

    private static MimeMessage Mail(string name, string address, string subject, string text)
    {
        var message = new MimeMessage { Subject = subject, MessageId = MimeUtils.GenerateMessageId("customer.example") };
        message.From.Add(new MailboxAddress(name, address));
        message.To.Add(new MailboxAddress("Customer feedback", "feedback@cannery.example"));
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    private static MimePart Attachment(string name, string type, string subtype, byte[] content) => new(type, subtype)
    {
        FileName = name,
        Content = new MimeContent(new MemoryStream(content)),
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
        ContentTransferEncoding = ContentEncoding.Base64,
    };

    /// <summary>A 1×1 PNG.</summary>
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private Task<long> CountAsync(string sql) => ScalarAsync<long>(sql);

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
