using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Feedback.Activities.Tests.Intake;

/// <summary>The per-address limit on anonymous posts: intake (API and form) shares one allowance, the mailed-link pages have their own.</summary>
public sealed class PublicPostLimitTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Past_the_configured_permits_intake_answers_429_with_retry_after_and_the_link_pages_count_apart()
    {
        await using var limited = _host.WithWebHostBuilder(b => b.UseSetting("Feedback:Intake:RateLimit", "2").UseSetting("Feedback:Intake:RateLimitWindow", "00:10:00"));
        var client = limited.CreateClient();
        // Not valid feedback: the limit counts attempts, not cases.
        for (var i = 0; i < 2; i++)
            (await client.PostAsJsonAsync("/api/feedback", new JsonObject { ["channel"] = "WebForm" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var refused = await client.PostAsJsonAsync("/api/feedback", new JsonObject { ["channel"] = "WebForm" });
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var seconds = int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        seconds.Should().BeInRange(1, 600);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        ((string?)problem["errors"]![0]).Should().Contain($"try again in {seconds} seconds");

        var form = await client.PostAsync("/feedback?lang=en", new FormUrlEncodedContent(new Dictionary<string, string> { ["content"] = "x" }));
        form.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the form shares intake's allowance");
        form.Headers.RetryAfter.Should().NotBeNull();
        (await form.Content.ReadAsStringAsync()).Should().Contain("Too many submissions").And.Contain("<html");

        // A link page is not held up by intake's count; it has an allowance of its own.
        for (var i = 0; i < 2; i++)
            (await client.PostAsync("/l/not-a-link", new FormUrlEncodedContent([]))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsync("/l/not-a-link", new FormUrlEncodedContent([]))).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_limit_of_zero_turns_it_off_and_a_bad_setting_stops_the_start()
    {
        // TestHost turns the limit off, as the benchmarks do.
        var client = _host.CreateClient();
        for (var i = 0; i < 40; i++)
            (await client.PostAsJsonAsync("/api/feedback", new JsonObject { ["channel"] = "WebForm" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        await using var misconfigured = _host.WithWebHostBuilder(b => b.UseSetting("Feedback:Intake:RateLimit", "-5"));
        var start = () => misconfigured.Services;
        start.Should().Throw<InvalidOperationException>().WithMessage("Feedback:Intake:RateLimit is '-5'*");
    }
}
