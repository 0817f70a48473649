using Feedback.Workflows.Tests.Infrastructure;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests;

/// <summary>The API endpoints the Studio calls beyond saving and running: scripting types, executions, versions, import and export.</summary>
public sealed class StudioApiTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false);
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Javascript_type_definitions_declare_the_globals_and_the_workflows_variables_and_inputs()
    {
        var definitionId = await SaveAsync(Flow("Typed", delay: "00:00:01"), publish: false);
        var response = await _api.PostAsJsonAsync($"/elsa/api/scripting/javascript/type-definitions/{definitionId}",
            new { workflowDefinitionId = definitionId, activityTypeName = "Elsa.WriteLine", propertyName = "Text" });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-typescript");
        var text = await response.Content.ReadAsStringAsync();
        foreach (var global in new[] { "getVariable(name: string): any", "setVariable(name: string, value: any): void", "getInput(name: string): any",
                     "getCorrelationId(): string | null", "setCorrelationId(", "getWorkflowInstanceId(): string", "getOutputFrom(", "getLastResult(): any" })
            text.Should().Contain("declare function " + global);
        text.Should().Contain("declare const variables: {").And.Contain("order_id: number;").And.Contain("\"customer name\": string;");
        text.Should().Contain("declare function getOrder_id(): number;").And.Contain("declare function setOrderId(value: number): void;")
            .And.Contain("declare function getCustomerName(): string;").And.Contain("declare function getEmail(): string;");

        var unsaved = await _api.PostAsJsonAsync("/elsa/api/scripting/javascript/type-definitions/not-saved-yet", new { });
        (await unsaved.Content.ReadAsStringAsync()).Should().Contain("declare function getVariable").And.Contain("declare const variables: {\n};");
    }

    [Fact]
    public async Task Activity_executions_and_their_stats_come_from_the_journal_and_show_what_is_waiting()
    {
        var definitionId = await SaveAsync(Flow("Waiting", delay: "01:00:00"), publish: true);
        var run = await Post($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject());
        var instanceId = (string)run["workflowState"]!["id"]!;
        var nodes = new JsonArray("Workflow1:root:start1", "Workflow1:root:write1", "Workflow1:root:delay1", "Workflow1:root:end1");

        var report = await Post("/elsa/api/activity-executions/report", new JsonObject { ["workflowInstanceId"] = instanceId, ["activityNodeIds"] = nodes });
        var stats = report["stats"]!.AsArray().ToDictionary(s => (string)s!["activityId"]!);
        stats.Keys.Should().BeEquivalentTo(["start1", "write1", "delay1"], "End has not run yet");
        ((int)stats["write1"]!["completedCount"]!).Should().Be(1);
        ((bool)stats["delay1"]!["isBlocked"]!).Should().BeTrue();
        ((int)stats["delay1"]!["uncompletedCount"]!).Should().Be(1);
        ((string?)stats["delay1"]!["activityNodeId"]).Should().Be("Workflow1:root:delay1");

        var list = await Get($"/elsa/api/activity-executions/list?WorkflowInstanceId={instanceId}&ActivityNodeId=Workflow1:root:write1");
        var record = list["items"]!.AsArray().Single()!;
        ((string?)record["status"]).Should().Be("Completed");
        ((string?)record["activityType"]).Should().Be("Elsa.WriteLine");
        record["payload"]!["outcomes"]![0]!.GetValue<string>().Should().Be("Done");
        var summaries = await Get($"/elsa/api/activity-execution-summaries/list?WorkflowInstanceId={instanceId}&ActivityNodeId=Workflow1:root:delay1");
        var delay = summaries["items"]!.AsArray().Single()!;
        ((string?)delay["status"]).Should().Be("Running");
        ((bool)delay["hasBookmarks"]!).Should().BeTrue();
        var byId = await Get($"/elsa/api/activity-executions/{(string)delay["id"]!}");
        ((string?)byId["activityId"]).Should().Be("delay1");

        var variables = await Get($"/elsa/api/workflow-instances/{instanceId}/variables");
        variables["items"]!.AsArray().Select(v => ((string)v!["name"]!, v["value"]?.ToJsonString()))
            .Should().BeEquivalentTo([("order_id", "7"), ("customer name", null)]);
        (await _api.GetAsync("/elsa/api/workflow-instances/missing/variables")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Versions_are_deleted_one_at_a_time_but_never_the_published_one()
    {
        var definitionId = await SaveAsync(Flow("Versioned", delay: "00:00:01"), publish: true);
        var draft = Flow("Versioned", delay: "00:00:05");
        draft["definitionId"] = definitionId;
        await SaveAsync(draft, publish: false);
        var versions = await Get($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");
        var ids = versions["items"]!.AsArray().ToDictionary(v => (int)v!["version"]!, v => (string)v!["id"]!);

        var refused = await _api.DeleteAsync($"/elsa/api/workflow-definition-versions/{ids[1]}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("retract it before deleting it");
        (await _api.DeleteAsync($"/elsa/api/workflow-definition-versions/{ids[2]}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/elsa/api/workflow-definition-versions/{ids[2]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var latest = await Get($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Latest");
        ((int)latest["version"]!).Should().Be(1, "the remaining version becomes the latest again");
    }

    [Fact]
    public async Task Bulk_actions_report_what_they_did_and_what_they_did_not_find()
    {
        var a = await SaveAsync(Flow("Bulk A", delay: "00:00:01"), publish: false);
        var b = await SaveAsync(Flow("Bulk B", delay: "00:00:01"), publish: true);
        var published = await Post("/elsa/api/bulk-actions/publish/workflow-definitions/by-definition-ids", new JsonObject { ["definitionIds"] = new JsonArray(a, b, "nope") });
        Strings(published["published"]).Should().Equal(a);
        Strings(published["alreadyPublished"]).Should().Equal(b);
        Strings(published["notFound"]).Should().Equal("nope");

        var retracted = await Post("/elsa/api/bulk-actions/retract/workflow-definitions/by-definition-ids", new JsonObject { ["definitionIds"] = new JsonArray(a) });
        Strings(retracted["retracted"]).Should().Equal(a);
        var again = await Post("/elsa/api/bulk-actions/retract/workflow-definitions/by-definition-ids", new JsonObject { ["definitionIds"] = new JsonArray(a) });
        Strings(again["alreadyRetracted"]).Should().Equal(a);

        var deleted = await Post("/elsa/api/bulk-actions/delete/workflow-definitions/by-definition-id", new JsonObject { ["definitionIds"] = new JsonArray(a, b, "nope") });
        ((int)deleted["deleted"]!).Should().Be(2);
        (await _api.GetAsync($"/elsa/api/workflow-definitions/by-definition-id/{a}?versionOptions=Latest")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_export_imports_again_as_a_draft_alone_or_in_a_zip_and_a_bad_file_imports_nothing()
    {
        var definitionId = await SaveAsync(Flow("Exported", delay: "00:00:03"), publish: true);
        var export = await _api.GetAsync($"/elsa/api/workflow-definitions/{definitionId}/export?versionOptions=Published&includeConsumingWorkflows=false");
        export.StatusCode.Should().Be(HttpStatusCode.OK);
        export.Content.Headers.ContentDisposition!.FileName.Should().Be("Exported.json");
        var file = JsonNode.Parse(await export.Content.ReadAsStringAsync())!.AsObject();
        ((string?)file["$schema"]).Should().StartWith("https://elsaworkflows.io/schemas/workflow-definition/");
        file.ContainsKey("links").Should().BeFalse();

        var copy = (JsonObject)file.DeepClone();
        copy.Remove("definitionId");
        copy["name"] = "Imported";
        var imported = await Post("/elsa/api/workflow-definitions/import", copy);
        ((string?)imported["definitionId"]).Should().NotBe(definitionId);
        ((bool)imported["isPublished"]!).Should().BeFalse();
        imported["links"]!.AsArray().Select(l => (string?)l!["rel"]).Should().Contain("publish");

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        await using (var entry = archive.CreateEntry("Exported.json").Open())
            await entry.WriteAsync(Encoding.UTF8.GetBytes(file.ToJsonString()));
        var form = new MultipartFormDataContent { { new ByteArrayContent(zip.ToArray()), "files", "workflows.zip" } };
        var count = await _api.PostAsync("/elsa/api/workflow-definitions/import-files", form);
        (await count.Content.ReadFromJsonAsync<JsonObject>())!["count"]!.GetValue<int>().Should().Be(1);
        var versions = await Get($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");
        ((int)versions["totalCount"]!).Should().Be(2, "the file names its definition, so it became a new draft of it");

        var broken = (JsonObject)file.DeepClone();
        broken["root"]!["activities"]!.AsArray().Add(new JsonObject { ["id"] = "x", ["type"] = "Acme.Unknown" });
        var bad = new MultipartFormDataContent
        {
            { new StringContent(file.ToJsonString()), "files", "good.json" },
            { new StringContent(broken.ToJsonString()), "files", "bad.json" },
        };
        var refused = await _api.PostAsync("/elsa/api/workflow-definitions/import-files", bad);
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Acme.Unknown");
        ((int)(await Get($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}"))["totalCount"]!).Should().Be(2);
    }

    [Fact]
    public async Task The_catalogue_reads_answer_with_elsa_shapes()
    {
        var converters = await Get("/elsa/api/descriptors/output-converters?sourceType=String&destinationType=Int32");
        converters["items"]!.AsArray().Should().BeEmpty();
        ((int)converters["count"]!).Should().Be(0);
        ((string?)(await Get("/elsa/api/package/version"))["packageVersion"]).Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>Start → WriteLine → Delay → End with two variables and an input.</summary>
    private static JsonObject Flow(string name, string delay)
    {
        JsonObject Node(string id, string type, JsonObject? inputs = null)
        {
            var node = new JsonObject { ["id"] = id, ["nodeId"] = $"Workflow1:root:{id}", ["name"] = id, ["type"] = type, ["version"] = 1 };
            foreach (var (key, value) in inputs ?? []) node[key] = value?.DeepClone();
            return node;
        }
        JsonObject Literal(string typeName, string value) => new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = value } };
        JsonObject Connect(string from, string to) => new() { ["source"] = new JsonObject { ["activity"] = from, ["port"] = "Done" }, ["target"] = new JsonObject { ["activity"] = to, ["port"] = "In" } };
        return new JsonObject
        {
            ["name"] = name,
            ["variables"] = new JsonArray(
                new JsonObject { ["id"] = "v1", ["name"] = "order_id", ["typeName"] = "Int32", ["value"] = "7" },
                new JsonObject { ["id"] = "v2", ["name"] = "customer name", ["typeName"] = "String" }),
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "email", ["type"] = "String" }),
            ["root"] = new JsonObject
            {
                ["id"] = "root", ["type"] = "Elsa.Flowchart", ["version"] = 1,
                ["activities"] = new JsonArray(Node("start1", "Elsa.Start"), Node("write1", "Elsa.WriteLine", new JsonObject { ["text"] = Literal("String", "hello") }),
                    Node("delay1", "Elsa.Delay", new JsonObject { ["timeSpan"] = Literal("TimeSpan", delay) }), Node("end1", "Elsa.End")),
                ["connections"] = new JsonArray(Connect("start1", "write1"), Connect("write1", "delay1"), Connect("delay1", "end1")),
            },
        };
    }

    private async Task<string> SaveAsync(JsonObject model, bool publish)
    {
        var saved = await Post("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = publish });
        return (string)saved["workflowDefinition"]!["definitionId"]!;
    }

    private Task<JsonObject> Post(string url, JsonNode body) => _api.PostJsonAsync(url, body);

    private Task<JsonObject> Get(string url) => _api.GetJsonAsync(url);

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(x => (string)x!).ToList();
}
