using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>The definition API: Elsa JSON in and out, versioning, and refusals that change nothing.</summary>
public sealed class DefinitionApiTests : IAsyncLifetime
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
    public async Task Requests_without_the_api_key_get_401()
    {
        var response = await _host.CreateClient().GetAsync("/elsa/api/workflow-definitions");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["errors"]!.AsArray().Select(e => (string)e!).Should().ContainSingle().Which.Should().Contain("Authorization: ApiKey");
    }

    [Fact]
    public async Task Unknown_properties_and_designer_metadata_survive_a_save_and_load()
    {
        var api = _host.Api();
        var definition = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("hi")))).Build();
        definition["customProperties"] = new JsonObject { ["logPersistenceConfig"] = new JsonObject { ["default"] = "Include" } };
        definition["someFutureProperty"] = new JsonArray(1, 2, 3);
        var activity = definition["root"]!["activities"]![0]!.AsObject();
        activity["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 120.5, ["y"] = -40 }, ["size"] = new JsonObject { ["width"] = 170.42, ["height"] = 54 } } };
        activity["vendorExtension"] = "kept";

        var definitionId = await api.PublishAsync(definition);
        var loaded = await api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Latest");

        loaded["someFutureProperty"]!.ToJsonString().Should().Be("[1,2,3]");
        loaded["customProperties"]!["logPersistenceConfig"]!["default"]!.GetValue<string>().Should().Be("Include");
        var stored = loaded["root"]!["activities"]![0]!;
        stored["metadata"]!.ToJsonString().Should().Be(activity["metadata"]!.ToJsonString());
        ((string?)stored["vendorExtension"]).Should().Be("kept");
        loaded["links"]!.AsArray().Select(l => (string?)l!["rel"]).Should().Contain("publish");
        ((bool)loaded["isPublished"]!).Should().BeTrue();
    }

    [Fact]
    public async Task An_invalid_definition_gets_400_saying_what_and_where_and_nothing_stored_changes()
    {
        var api = _host.Api();
        var good = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("v1")))).Build();
        var definitionId = await api.PublishAsync(good);
        var before = await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");

        var unknownType = new FlowBuilder().Activity("x", "Acme.Nope").Build(definitionId);
        var badScript = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Js("if (")))).Build(definitionId);
        foreach (var (model, expected) in new[] { (unknownType, "Acme.Nope"), (badScript, "'w'") })
        {
            var response = await api.PostAsync("/elsa/api/workflow-definitions",
                new StringContent(new JsonObject { ["model"] = model, ["publish"] = true }.ToJsonString(), Encoding.UTF8, "application/json"));
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
        }
        var badJson = await api.PostAsync("/elsa/api/workflow-definitions", new StringContent("{\"model\": {\"root\": ", Encoding.UTF8, "application/json"));
        badJson.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badJson.Content.ReadAsStringAsync()).Should().Contain("position");

        var after = await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");
        after.ToJsonString().Should().Be(before.ToJsonString());
    }

    [Fact]
    public async Task Saving_after_publish_opens_a_draft_and_retract_and_revert_follow_elsa()
    {
        var api = _host.Api();
        var definitionId = await api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("one")))).Build());

        var draft = await api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject
        {
            ["model"] = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("two")))).Build(definitionId),
            ["publish"] = false,
        });
        ((int)draft["workflowDefinition"]!["version"]!).Should().Be(2);
        ((bool)draft["workflowDefinition"]!["isPublished"]!).Should().BeFalse();
        var published = await api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published");
        ((int)published["version"]!).Should().Be(1);

        var retracted = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/retract", new JsonObject());
        ((bool)retracted["isPublished"]!).Should().BeFalse();
        var notStartable = await api.PostAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new StringContent("{}", Encoding.UTF8, "application/json"));
        notStartable.StatusCode.Should().Be(HttpStatusCode.NotFound);

        var reverted = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/revert/1", new JsonObject());
        ((int)reverted["version"]!).Should().Be(2, "reverting onto an open draft overwrites that draft");
        var latest = await api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Latest");
        ((string?)latest["root"]!["activities"]![0]!["text"]!["expression"]!["value"]).Should().Be("one");
    }

    [Fact]
    public async Task A_retracted_version_is_not_edited_in_place_by_a_save_or_a_revert()
    {
        var api = _host.Api();
        var saved = await api.PublishAsync(Waiting("one"));
        await api.PostJsonAsync($"/elsa/api/workflow-definitions/{saved}/retract", new JsonObject());
        var draft = await SaveDraftAsync(api, Waiting("two", saved));
        ((int)draft["version"]!).Should().Be(2, "version 1 was published; it stays as it was published");
        (await TextOfVersionAsync(api, saved, 1)).Should().Be("one");
        (await TextOfVersionAsync(api, saved, 2)).Should().Be("two");

        var reverted = await api.PublishAsync(Waiting("one"));
        await api.PublishAsync(Waiting("two", reverted));
        await api.PostJsonAsync($"/elsa/api/workflow-definitions/{reverted}/retract", new JsonObject());
        var revert = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{reverted}/revert/1", new JsonObject());
        ((int)revert["version"]!).Should().Be(3, "the retracted version 2 stays as it was published");
        (await TextOfVersionAsync(api, reverted, 2)).Should().Be("two");
        (await TextOfVersionAsync(api, reverted, 3)).Should().Be("one");
    }

    [Fact]
    public async Task A_draft_that_instances_run_on_is_kept_and_the_next_save_opens_a_new_version()
    {
        var api = _host.Api();
        var draft = await SaveDraftAsync(api, Waiting("one"));
        var definitionId = (string)draft["definitionId"]!;
        // The Studio's run of an unpublished draft.
        var run = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject { ["versionOptions"] = "Latest" });
        ((string?)run["workflowState"]!["definitionVersionId"]).Should().Be((string)draft["id"]!);

        var saved = await SaveDraftAsync(api, Waiting("two", definitionId));
        ((int)saved["version"]!).Should().Be(2);
        (await TextOfAsync(api, (string)draft["id"]!)).Should().Be("one", "the running instance's graph does not change under it");
        var reverted = await api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/revert/1", new JsonObject());
        ((int)reverted["version"]!).Should().Be(2, "version 2 has no instance and was never published, so the revert overwrites it");
        (await TextOfAsync(api, (string)saved["id"]!)).Should().Be("one");
    }

    private static JsonObject Waiting(string text, string? definitionId = null) => new FlowBuilder()
        .Activity("w", "Elsa.WriteLine", Inputs(("text", Lit(text))))
        .Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit("30.00:00:00"))))
        .Chain("w", "delay").Build(definitionId, name: "Edited " + Guid.NewGuid().ToString("N"));

    private static async Task<JsonNode> SaveDraftAsync(HttpClient api, JsonObject model) =>
        (await api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = model, ["publish"] = false }))["workflowDefinition"]!;

    private static async Task<string?> TextOfAsync(HttpClient api, string versionId) =>
        (string?)(await api.GetJsonAsync($"/elsa/api/workflow-definitions/by-id/{versionId}"))["root"]!["activities"]![0]!["text"]!["expression"]!["value"];

    private static async Task<string?> TextOfVersionAsync(HttpClient api, string definitionId, int version)
    {
        var versions = await api.GetJsonAsync($"/elsa/api/workflow-definitions?versionOptions=AllVersions&definitionIds={definitionId}");
        return await TextOfAsync(api, (string)versions["items"]!.AsArray().Single(v => (int)v!["version"]! == version)!["id"]!);
    }
}
