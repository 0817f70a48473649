using Feedback.Workflows.Tests.Infrastructure;
using System.Net;
using Feedback.EndToEnd.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests;

/// <summary>
/// The shell's sign-in locks a user name after repeated wrong passwords, and a client address after repeated failures
/// across names, for a configured while; a locked sign-in refuses even the right password and says for how long.
/// </summary>
public sealed class StudioSignInLockoutTests : IAsyncLifetime
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(3);
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, settings: new Dictionary<string, string>
        {
            ["Admin:Lockout:MaxFailuresPerUser"] = "3",
            ["Admin:Lockout:MaxFailuresPerAddress"] = "6",
            ["Admin:Lockout:Duration"] = LockDuration.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Three_wrong_passwords_lock_the_user_even_against_the_right_one_until_the_lock_runs_out()
    {
        var browser = _host.Browser();
        (await SignInAsync(browser, StudioTestHost.UserName, "wrong 1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(browser, StudioTestHost.UserName, "wrong 2")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var third = await SignInAsync(browser, StudioTestHost.UserName.ToUpperInvariant(), "wrong 3");
        third.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the third failure reaches the limit; the name's case does not matter");
        third.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(LockDuration);
        var page = await third.Content.ReadAsStringAsync();
        page.Should().Contain("Too many failed sign-ins").And.Contain("seconds").And.Contain("role=\"alert\"");

        var rightButLocked = await SignInAsync(browser, StudioTestHost.UserName, StudioTestHost.Password);
        rightButLocked.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        rightButLocked.Headers.Contains("Set-Cookie").Should().BeFalse("a locked sign-in issues no token");

        await Task.Delay(LockDuration + TimeSpan.FromMilliseconds(500));
        var afterLock = await SignInAsync(browser, StudioTestHost.UserName, StudioTestHost.Password);
        afterLock.StatusCode.Should().Be(HttpStatusCode.Redirect);
        afterLock.Headers.GetValues("Set-Cookie").Should().ContainSingle(c => c.StartsWith("feedback_studio=", StringComparison.Ordinal));

        // The success cleared the user's count: two more failures do not lock it again.
        (await SignInAsync(_host.Browser(), StudioTestHost.UserName, "wrong 4")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(_host.Browser(), StudioTestHost.UserName, "wrong 5")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(_host.Browser(), StudioTestHost.UserName, StudioTestHost.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Failures_spread_over_many_names_lock_the_address_and_unknown_names_lock_like_known_ones()
    {
        var browser = _host.Browser();
        // Two tries per made-up name stay under the per-user limit; the sixth failure from this address locks it.
        var statuses = new List<HttpStatusCode>();
        foreach (var name in new[] { "alice", "alice", "bob", "bob", "carol", "carol" })
            statuses.Add((await SignInAsync(browser, name, "guess")).StatusCode);
        statuses.Should().Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5).Append(HttpStatusCode.TooManyRequests));

        (await SignInAsync(browser, StudioTestHost.UserName, StudioTestHost.Password)).StatusCode
            .Should().Be(HttpStatusCode.TooManyRequests, "the address is locked for every name");

        await Task.Delay(LockDuration + TimeSpan.FromMilliseconds(500));
        (await SignInAsync(browser, "dave", "guess")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(browser, "dave", "guess")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var unknownLocked = await SignInAsync(browser, "dave", "guess");
        unknownLocked.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "a name that does not exist locks like one that does, so the lock reveals nothing");
        (await SignInAsync(browser, StudioTestHost.UserName, StudioTestHost.Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Failures_on_two_hosts_of_one_database_add_up_and_the_lock_holds_on_both()
    {
        await using var second = new StudioTestHost(_database.ConnectionString, kestrel: false, settings: new Dictionary<string, string>
        {
            ["Admin:Lockout:MaxFailuresPerUser"] = "3",
            ["Admin:Lockout:MaxFailuresPerAddress"] = "6",
            ["Admin:Lockout:Duration"] = LockDuration.ToString(),
        });
        // Alternating hosts, as a load balancer would: each host alone sees fewer than three failures.
        (await SignInAsync(_host.Browser(), StudioTestHost.UserName, "wrong 1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(second.Browser(), StudioTestHost.UserName, "wrong 2")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await SignInAsync(_host.Browser(), StudioTestHost.UserName, "wrong 3")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        (await SignInAsync(second.Browser(), StudioTestHost.UserName, StudioTestHost.Password)).StatusCode
            .Should().Be(HttpStatusCode.TooManyRequests, "the lock is stored, not kept by the host that set it");
    }

    [Fact]
    public async Task Concurrent_failures_are_each_counted()
    {
        // Ten wrong passwords at once against a limit of three: however they interleave, the name ends up locked.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SignInAsync(_host.Browser(), "mallory", $"guess {i}")));
        statuses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Unauthorized || r.StatusCode == HttpStatusCode.TooManyRequests,
            "two requests counting the same name at once retry on each other's write rather than fail");
        statuses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).Should().BeGreaterThanOrEqualTo(1);
        (await SignInAsync(_host.Browser(), "mallory", "guess")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string userName, string password) =>
        browser.PostAsync("/studio/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName, ["password"] = password, ["returnUrl"] = "",
        }));
}
