using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Feedback.Benchmarks;

/// <summary>An open task with everything needed to complete it: who may act, the first action, filled-in form values.</summary>
internal sealed record OpenTask(string Id, string CaseNumber, string Title, string User, string Action, JsonObject Values);

/// <summary>Lists and completes staff tasks through the task API, acting as whoever the task is for.</summary>
internal sealed class TaskClient
{
    private readonly HttpClient _staff;
    private readonly JsonArray _people;

    private TaskClient(HttpClient staff, JsonArray people)
    {
        _staff = staff;
        _people = people;
    }

    /// <summary>Reads the directory once: role tasks are completed by a member with that role in that department.</summary>
    public static async Task<TaskClient> CreateAsync(HttpClient staff)
    {
        var directory = JsonNode.Parse(await staff.GetStringAsync("/api/admin/directory"))!;
        return new TaskClient(staff, directory["staff"]!.AsArray());
    }

    /// <summary>The open tasks of <paramref name="cases"/>, in no particular order.</summary>
    public async Task<List<OpenTask>> OpenTasksAsync(IReadOnlySet<string> cases)
    {
        const int pageSize = 200;
        var found = new List<OpenTask>();
        for (var page = 0; ; page++)
        {
            var list = JsonNode.Parse(await _staff.GetStringAsync($"/api/tasks?status=Open&pageSize={pageSize}&page={page}"))!;
            var items = list["items"]!.AsArray();
            foreach (var item in items)
                if ((string?)item!["caseNumber"] is { } number && cases.Contains(number)) found.Add(Prepare(item.AsObject()));
            if (items.Count < pageSize) return found;
        }
    }

    /// <summary>The open tasks of one case, found by its number rather than by listing every open task.</summary>
    public async Task<List<OpenTask>> OpenTasksOfCaseAsync(string caseNumber)
    {
        var list = JsonNode.Parse(await _staff.GetStringAsync($"/api/tasks?status=Open&caseNumber={Uri.EscapeDataString(caseNumber)}"))!;
        return list["items"]!.AsArray().Select(item => Prepare(item!.AsObject())).ToList();
    }

    /// <summary>One completion; null when the API answered 200, else what went wrong.</summary>
    public async Task<string?> CompleteAsync(OpenTask task)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tasks/{task.Id}/complete")
        {
            Content = new StringContent(new JsonObject { ["action"] = task.Action, ["values"] = task.Values.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Staff-User", task.User);
        request.Headers.Add("Idempotency-Key", $"bench-{task.Id}");
        using var response = await _staff.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} on '{task.Title}': {IntakeClient.Shorten(text)}";
    }

    public OpenTask Prepare(JsonObject task)
    {
        var values = new JsonObject();
        foreach (var field in task["fields"]?.AsArray() ?? [])
            values[(string)field!["name"]!] = ((string?)field["type"] ?? "text").ToLowerInvariant() switch
            {
                "date" => "2026-12-31",
                "number" => 1,
                "choice" => field["choices"]![0]!.DeepClone(),
                "attachment" => "https://files.example.com/report.pdf",
                _ => "Handled as described in the attached report.",
            };
        // The first action is the forward path of the shipped process (Submit, Done, Approve), so every case moves on.
        var action = (string)task["actions"]![0]!;
        return new OpenTask((string)task["id"]!, (string)task["caseNumber"]!, (string)task["title"]!, Actor(task), action, values);
    }

    /// <summary>
    /// Everyone who might complete the task, most likely first: the assignee (or claimant), else the active members with
    /// its role in its department whom the task does not exclude. A caller refused with 403 (a member absent or changed
    /// since the directory was read) tries the next one.
    /// </summary>
    public IEnumerable<string> Candidates(JsonObject task)
    {
        if (((string?)task["claimedBy"] ?? (string?)task["assignee"]) is { } person) return [person];
        var role = (string?)task["role"];
        var department = (string?)task["department"];
        var excluded = (task["excluded"]?.AsArray() ?? []).Select(e => (string?)e).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return _people.Where(p =>
                (bool?)p!["active"] != false
                && !excluded.Contains((string?)p["userName"])
                && (department is null || (string?)p["departmentId"] == department)
                && p["roles"]!.AsArray().Any(r => (string?)r == role))
            .Select(p => (string)p!["userName"]!).ToList();
    }

    /// <summary>The assignee, else the first active member with the task's role in its department whom the task does not exclude.</summary>
    private string Actor(JsonObject task)
    {
        if (((string?)task["claimedBy"] ?? (string?)task["assignee"]) is { } person) return person;
        var role = (string?)task["role"];
        var department = (string?)task["department"];
        // Reviews keep out whoever rectified the case, and every task the person complained about.
        var excluded = (task["excluded"]?.AsArray() ?? []).Select(e => (string?)e).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var member = _people.FirstOrDefault(p =>
            (bool?)p!["active"] != false
            && !excluded.Contains((string?)p["userName"])
            && (department is null || (string?)p["departmentId"] == department)
            && p["roles"]!.AsArray().Any(r => (string?)r == role));
        return (string?)member?["userName"] ?? throw new BenchmarkException($"nobody in the directory can complete task {task["id"]} (role {role} in {department})");
    }
}
