using Feedback.Activities.Intake.Mail;
using MimeKit;

namespace Feedback.Activities.Tests.Intake;

/// <summary>How a received MIME message is read: key, sender, case number, text from HTML, pictures, automatic mail.</summary>
public sealed class IncomingMailReaderTests
{
    [Fact]
    public void The_key_follows_the_message_id_and_without_one_the_whole_message()
    {
        var a = Message("Subject", "text", "a@example.com", "id-1@example.com");
        var b = Message("Other subject", "other text", "b@example.com", "id-1@example.com");
        IncomingMailReader.Read(a).Key.Should().Be(IncomingMailReader.Read(b).Key).And.StartWith("mail:").And.HaveLength(5 + 64);
        IncomingMailReader.Read(Message("Subject", "text", "a@example.com", "id-2@example.com")).Key.Should().NotBe(IncomingMailReader.Read(a).Key);

        var noId1 = Message("Subject", "text one", "a@example.com", null);
        var noId2 = Message("Subject", "text two", "a@example.com", null);
        IncomingMailReader.Read(noId1).Key.Should().Be(IncomingMailReader.Read(noId1).Key);
        IncomingMailReader.Read(noId1).Key.Should().NotBe(IncomingMailReader.Read(noId2).Key);
    }

    [Fact]
    public void Sender_subject_case_number_and_automatic_mail_are_read()
    {
        var message = Message("Re: We have received your feedback (FB-2026-000123) and FB-2026-000999", "thanks", "li@example.cn", "x@y");
        var mail = IncomingMailReader.Read(message);
        mail.SenderName.Should().Be("Sender");
        mail.SenderAddress.Should().Be("li@example.cn");
        mail.CaseNumber.Should().Be("FB-2026-000123");
        mail.Automatic.Should().BeFalse();
        IncomingMailReader.Read(Message("no number FB-26-1", "t", "a@b.cn", "1@b")).CaseNumber.Should().BeNull();

        message.Headers.Add("Auto-Submitted", "auto-replied");
        IncomingMailReader.Read(message).Automatic.Should().BeTrue();
        message.Headers["Auto-Submitted"] = "no";
        IncomingMailReader.Read(message).Automatic.Should().BeFalse();
    }

    [Fact]
    public void Html_only_mail_is_read_as_its_text_without_styles_or_scripts()
    {
        var message = Message("s", "", "a@example.com", "h@example.com");
        message.Body = new TextPart("html") { Text = "<html><head><title>T</title><style>p { color: red }</style></head><body><p>First &amp; <b>bold</b></p><script>alert(1)</script><div>Second<br>line</div></body></html>" };
        IncomingMailReader.Read(message).Text.Should().Be("First & bold\nSecond\nline");
    }

    [Fact]
    public void Pictures_are_told_by_their_bytes_and_anything_else_is_listed_as_not_kept()
    {
        var message = Message("s", "see attached", "a@example.com", "p@example.com");
        message.Body = new Multipart("mixed")
        {
            message.Body!,
            Part("photo.png", "image/png", Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")),
            Part("fake.jpg", "image/jpeg", "not a picture"u8.ToArray()),
            Part("notes.txt", "text/plain", "attached notes"u8.ToArray()),
        };
        var mail = IncomingMailReader.Read(message);
        mail.Text.Should().Be("see attached");
        mail.Pictures.Should().ContainSingle().Which.ContentType.Should().Be("image/png");
        mail.NotKept.Should().Equal("fake.jpg", "notes.txt");
    }

    [Fact]
    public void Cleaning_keeps_the_words_defuses_tag_openers_and_cuts_to_length()
    {
        IncomingMailReader.Clean("On Mon, Shop <shop@example.cn> wrote:\r\n> a < 3\u0007", 100).Should().Be("On Mon, Shop ‹shop@example.cn> wrote:\n> a < 3");
        IncomingMailReader.Clean("  \n ", 100).Should().BeNull();
        IncomingMailReader.Clean("abcdefghij", 5).Should().Be("abcd…");
        IncomingMailReader.Clean("ab😀c", 4).Should().Be("ab…", "a cut never splits a character");
    }

    private static MimeMessage Message(string subject, string text, string from, string? messageId)
    {
        var message = new MimeMessage { Subject = subject };
        if (messageId is not null) message.MessageId = messageId;
        message.From.Add(new MailboxAddress("Sender", from));
        message.To.Add(new MailboxAddress("", "feedback@example.com"));
        message.Body = new TextPart("plain") { Text = text };
        return message;
    }

    private static MimePart Part(string name, string type, byte[] content) => new(ContentType.Parse(type))
    {
        FileName = name,
        Content = new MimeContent(new MemoryStream(content)),
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
        ContentTransferEncoding = ContentEncoding.Base64,
    };
}
