using System.Text.Json;

namespace Feedback.Activities.Tests.Classification;

/// <summary>One hand-labelled piece of feedback from feedback-dataset.json.</summary>
public sealed record LabelledFeedback(
    int Id,
    string Text,
    string? Title,
    string Language,
    string Category,
    string Severity,
    bool FoodSafety,
    string Split);

/// <summary>Loads the labelled data set that sits next to this file.</summary>
public static class FeedbackDataset
{
    public const string FileName = "feedback-dataset.json";

    private static readonly Lazy<IReadOnlyList<LabelledFeedback>> Items = new(Load);

    public static IReadOnlyList<LabelledFeedback> All => Items.Value;

    private static IReadOnlyList<LabelledFeedback> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Locate()));
        return document.RootElement.GetProperty("items")
            .Deserialize<List<LabelledFeedback>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    // The file is read from the output folder when the project copies it there, else from the source tree,
    // so the tests run whether or not the project file lists it.
    private static string Locate()
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Classification", FileName);
        if (File.Exists(copied)) return copied;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Classification", FileName);
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Feedback.Activities.Tests.csproj"))) return candidate;
            var nested = Path.Combine(dir.FullName, "tests", "Feedback.Activities.Tests", "Classification", FileName);
            if (File.Exists(nested)) return nested;
        }
        throw new FileNotFoundException($"{FileName} not found near {AppContext.BaseDirectory}.");
    }
}
