using System.Net;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>A new "set password" link cancels the member's earlier ones, used or not.</summary>
public sealed class StaffPasswordLinkTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, LinkFlow.HostSettings(_smtp.Port, "http://localhost"));
        _api = _host.Api();
        await AddProcessOwnerAsync(_api);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_earlier_link_sets_no_password_once_a_newer_one_was_sent_and_used()
    {
        const string address = "li.wei@example.com", chosen = "Tinned-peaches-2026", intruder = "Intruders-choice-99";
        (await RequestPasswordLinkAsync(_api, "li.wei")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var first = await PasswordLinkAsync(_smtp, address);
        var browser = _host.Browser();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var firstForm = await browser.GetStringAsync(first);

        (await RequestPasswordLinkAsync(_api, "li.wei")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var second = await PasswordLinkAsync(_smtp, address, skip: 1);
        second.Should().NotBe(first);
        var secondForm = await browser.GetStringAsync(second);
        (await browser.PostAsync(second, Form(Token(secondForm), ("password", chosen), ("confirm", chosen)))).StatusCode.Should().Be(HttpStatusCode.OK);

        var late = await browser.PostAsync(first, Form(Token(firstForm), ("password", intruder), ("confirm", intruder)));
        late.StatusCode.Should().Be(HttpStatusCode.Gone, "a newer link was sent");
        (await late.Content.ReadAsStringAsync()).Should().Contain("This link has been replaced");
        (await browser.GetAsync(first)).StatusCode.Should().Be(HttpStatusCode.Gone);

        (await SignInAsync(_host.Browser(), "li.wei", intruder)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(_host.Browser(), "li.wei", chosen)).StatusCode.Should().Be(HttpStatusCode.Redirect, "the password set through the newer link stands");
    }

    [Fact]
    public async Task An_unused_earlier_link_is_cancelled_by_a_newer_one()
    {
        const string address = "li.wei@example.com", password = "Tinned-peaches-2026";
        (await RequestPasswordLinkAsync(_api, "li.wei")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var first = await PasswordLinkAsync(_smtp, address);
        (await RequestPasswordLinkAsync(_api, "li.wei")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var second = await PasswordLinkAsync(_smtp, address, skip: 1);
        var browser = _host.Browser();

        (await browser.GetAsync(first)).StatusCode.Should().Be(HttpStatusCode.Gone);
        var form = await browser.GetStringAsync(second);
        (await browser.PostAsync(second, Form(Token(form), ("password", password), ("confirm", password)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SignInAsync(_host.Browser(), "li.wei", password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task A_link_whose_mail_cannot_be_stored_cancels_nothing()
    {
        const string address = "li.wei@example.com";
        (await RequestPasswordLinkAsync(_api, "li.wei")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var first = await PasswordLinkAsync(_smtp, address);
        await ExecuteAsync("""
            CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'mail refused for the test'; END $$;
            CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox_messages FOR EACH ROW EXECUTE FUNCTION refuse_mail();
            """);

        (await RequestPasswordLinkAsync(_api, "li.wei")).IsSuccessStatusCode.Should().BeFalse("the new link's mail could not be stored");

        (await _host.Browser().GetAsync(first)).StatusCode.Should().Be(HttpStatusCode.OK, "the member still holds the only link that was sent");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
