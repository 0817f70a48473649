using System.Net;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>
/// Failed staff sign-ins are counted per client address too: guesses spread over many names, each under the account
/// lock, pause sign-in from that address for every name, a right password included.
/// </summary>
public sealed class StaffSignInThrottleTests : IAsyncLifetime
{
    private const string Password = "Tinned-peaches-2026";
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(3);
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        var settings = LinkFlow.HostSettings(_smtp.Port, "http://localhost");
        settings["StaffSignIn:MaxFailedAttempts"] = "3";
        settings["StaffSignIn:MaxFailuresPerAddress"] = "4";
        settings["StaffSignIn:LockoutDuration"] = Pause.ToString();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, settings);
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
    public async Task Failures_over_many_names_pause_sign_in_from_the_address_for_everyone_until_the_pause_runs_out()
    {
        await GivePasswordAsync(_api, _smtp, _host.Browser(), "li.wei", Password);
        var browser = _host.Browser();

        // Two guesses per name stay under the account lock (3); the fourth failure from this address pauses it.
        var statuses = new List<HttpStatusCode>();
        foreach (var name in new[] { "zhang.hua", "zhang.hua", "chen.jie", "chen.jie" })
            statuses.Add((await SignInAsync(browser, name, "guess-" + statuses.Count)).StatusCode);
        statuses.Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests);

        var refused = await SignInAsync(browser, "li.wei", Password);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is paused for every name");
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Too many failed sign-ins from this network address");
        refused.Headers.Contains("Set-Cookie").Should().BeFalse();

        await Task.Delay(Pause + TimeSpan.FromMilliseconds(500));
        (await SignInAsync(browser, "li.wei", Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }
}
