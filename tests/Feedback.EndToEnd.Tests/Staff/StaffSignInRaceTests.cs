using System.Net;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>
/// Each sign-in attempt is counted before its password is checked, so guesses sent at once get no more checks than
/// the limit; and a name not in the directory is answered exactly like a real one, lock included.
/// </summary>
public sealed class StaffSignInRaceTests : IAsyncLifetime
{
    private const string Password = "Tinned-peaches-2026";
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost? _host;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<HttpClient> StartAsync(int perName, int perAddress)
    {
        var settings = LinkFlow.HostSettings(_smtp.Port, "http://localhost");
        settings["StaffSignIn:MaxFailedAttempts"] = perName.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["StaffSignIn:MaxFailuresPerAddress"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["StaffSignIn:LockoutDuration"] = "00:10:00";
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, settings);
        var api = _host.Api();
        await AddProcessOwnerAsync(api);
        await GivePasswordAsync(api, _smtp, _host.Browser(), "li.wei", Password);
        return api;
    }

    /// <summary>Posts the sign-ins all at once, each from its own browser with its own form token.</summary>
    private async Task<HttpStatusCode[]> SignInAtOnceAsync(IEnumerable<(string User, string Password)> attempts)
    {
        var prepared = new List<(HttpClient Browser, string Token, string User, string Password)>();
        foreach (var (user, password) in attempts)
        {
            var browser = _host!.Browser();
            prepared.Add((browser, Token(await browser.GetStringAsync("/staff/sign-in?lang=en")), user, password));
        }
        var answers = await Task.WhenAll(prepared.Select(p => p.Browser.PostAsync("/staff/sign-in?lang=en",
            Form(p.Token, ("username", p.User), ("password", p.Password), ("returnUrl", "/staff")))));
        return answers.Select(a => a.StatusCode).ToArray();
    }

    [Fact]
    public async Task Twenty_wrong_passwords_at_once_get_at_most_the_limits_worth_of_checks_and_then_the_right_one_is_refused()
    {
        await StartAsync(perName: 3, perAddress: 1000);

        var statuses = await SignInAtOnceAsync(Enumerable.Range(0, 20).Select(i => ("li.wei", $"Wrong-guess-{i:00}")));

        statuses.Count(s => s == HttpStatusCode.Unauthorized).Should().BeLessThanOrEqualTo(3, "only three guesses may be checked");
        statuses.Should().OnlyContain(s => s == HttpStatusCode.Unauthorized || s == HttpStatusCode.TooManyRequests);
        (await SignInAsync(_host!.Browser(), "li.wei", Password)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the name is locked");
    }

    [Fact]
    public async Task Guesses_at_once_over_many_names_get_at_most_the_address_limits_worth_of_checks()
    {
        await StartAsync(perName: 1000, perAddress: 3);

        var statuses = await SignInAtOnceAsync(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? "zhang.hua" : "chen.jie", $"Wrong-guess-{i:00}")));

        statuses.Count(s => s == HttpStatusCode.Unauthorized).Should().BeLessThanOrEqualTo(3);
        (await SignInAsync(_host!.Browser(), "li.wei", Password)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is paused");
    }

    [Fact]
    public async Task A_name_not_in_the_directory_is_answered_and_locked_like_a_real_one()
    {
        await StartAsync(perName: 3, perAddress: 1000);

        async Task<(HttpStatusCode, string)[]> ThreeWrongAsync(string user)
        {
            var browser = _host!.Browser();
            var answers = new List<(HttpStatusCode, string)>();
            for (var i = 0; i < 4; i++)
            {
                var answer = await SignInAsync(browser, user, "Wrong-guess-" + i);
                // The page repeats the name typed and the time the lock ends; everything else must be the same.
                var body = (await answer.Content.ReadAsStringAsync()).Replace(user, "NAME", StringComparison.Ordinal);
                answers.Add((answer.StatusCode, System.Text.RegularExpressions.Regex.Replace(body, "(name=\"__af\" value=\"[^\"]+\"|locked until [^<.]+)", "")));
            }
            return answers.ToArray();
        }

        var real = await ThreeWrongAsync("li.wei");
        var madeUp = await ThreeWrongAsync("no.such.person");

        real.Select(a => a.Item1).Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        madeUp.Select(a => a.Item1).Should().Equal(real.Select(a => a.Item1));
        madeUp.Select(a => a.Item2).Should().Equal(real.Select(a => a.Item2));
    }
}
