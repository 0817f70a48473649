using System.Text.Json.Nodes;

namespace Feedback.Benchmarks;

/// <summary>One piece of feedback from the labelled set: what customers actually write, in zh-CN, zh-TW and English.</summary>
internal sealed record FeedbackSample(string Text, string? Title, string Language);

/// <summary>The realistic text mix: the classifier's labelled data set, read by path from the repository.</summary>
internal static class FeedbackMix
{
    private const string DatasetPath = "tests/Feedback.Activities.Tests/Classification/feedback-dataset.json";

    /// <exception cref="BenchmarkException">The repository or the data set cannot be found.</exception>
    public static IReadOnlyList<FeedbackSample> Load()
    {
        var path = Path.Combine(Repository.Root, DatasetPath);
        if (!File.Exists(path)) throw new BenchmarkException($"the text mix {path} is missing");
        var items = JsonNode.Parse(File.ReadAllText(path))!["items"]!.AsArray();
        return items.Select(i => new FeedbackSample((string)i!["text"]!, (string?)i["title"], (string?)i["language"] ?? "zh-CN")).ToList();
    }
}
