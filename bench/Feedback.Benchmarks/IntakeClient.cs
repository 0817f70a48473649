using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Classification;

namespace Feedback.Benchmarks;

/// <summary>Submits feedback as a customer's web form does: the public intake endpoint with an idempotency key.</summary>
internal sealed class IntakeClient
{
    // The shipped process sends classifications below this confidence to a person first (its "Uncertain" port).
    private const double ShippedThreshold = 0.5;

    private readonly HttpClient _client;
    private readonly IReadOnlyList<FeedbackSample> _mix;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private int _sent;

    /// <summary>Uses the texts of <paramref name="samples"/> the classifier is sure about.</summary>
    public IntakeClient(HttpClient client, IReadOnlyList<FeedbackSample> samples)
    {
        _client = client;
        // Uncertain texts wait for a person before assignment, so they would never pass the path being measured.
        _mix = samples.Where(s => !FeedbackClassifier.Default.Classify(s.Text, s.Title).IsUncertain(ShippedThreshold)).ToList();
        SampleCount = samples.Count;
    }

    /// <summary>Numbers of the cases created so far, for benchmarks that go on working on them.</summary>
    public ConcurrentQueue<string> Created { get; } = new();

    /// <summary>Texts the intake uses, out of <see cref="SampleCount"/>.</summary>
    public int MixCount => _mix.Count;

    /// <summary>The texts themselves, for load generators that build their own requests.</summary>
    public IReadOnlyList<FeedbackSample> Mix => _mix;
    public int SampleCount { get; }

    /// <summary>One submission; null when the case was created (201), else what went wrong.</summary>
    public async Task<string?> SubmitAsync(int _)
    {
        var n = Interlocked.Increment(ref _sent);
        var sample = _mix[n % _mix.Count];
        var body = new JsonObject
        {
            ["channel"] = "WebForm",
            ["customerName"] = $"Customer {n}",
            ["customerEmail"] = $"customer{n}@example.com",
            ["language"] = sample.Language,
            ["title"] = sample.Title,
            ["content"] = sample.Text,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/feedback")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", $"bench-{_run}-{n}");
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created) return $"{(int)response.StatusCode}: {Shorten(text)}";
        Created.Enqueue((string)JsonNode.Parse(text)!["number"]!);
        return null;
    }

    internal static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
