using System.Text.Json.Nodes;
using Feedback.Activities.Tasks;
using Feedback.Workflows.Serialization;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>What <see cref="TaskService"/> sends when a task is completed, for in-memory runs.</summary>
internal static class StaffTaskCompletions
{
    public static Dictionary<string, JsonNode?> Completion(string action, JsonObject values, string by = "alice", string? key = "k1") => new()
    {
        [StaffTask.CompletionInputKey] = System.Text.Json.JsonSerializer.SerializeToNode(new StaffTaskCompletion(action, values, by, key), ElsaJson.Options),
    };
}
