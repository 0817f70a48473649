using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Deleting definitions and versions is refused while instances still need them (unfinished, or faulted and retryable).</summary>
public sealed class DefinitionDeletionTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_definition_with_a_waiting_instance_is_not_deleted_alone_or_in_bulk_until_the_instance_is_cancelled()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder().Activity("delay", "Elsa.Delay", Inputs(("timeSpan", Lit("30.00:00:00")))).Build(name: "Long wait"));
        var other = await _api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("idle")))).Build(name: "Idle"));
        var instanceId = await ExecuteAsync(definitionId);

        var refused = await _api.DeleteAsync($"/elsa/api/workflow-definitions/{definitionId}");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Long wait").And.Contain("1 unfinished or faulted instance");
        var bulk = await _api.PostAsJsonAsync("/elsa/api/bulk-actions/delete/workflow-definitions/by-definition-id", new JsonObject { ["definitionIds"] = new JsonArray(other, definitionId) });
        bulk.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await bulk.Content.ReadAsStringAsync()).Should().Contain($"{definitionId} (1)");
        (await _api.GetAsync($"/elsa/api/workflow-definitions/by-definition-id/{other}?versionOptions=Latest")).StatusCode.Should().Be(HttpStatusCode.OK, "a refused batch deletes nothing");

        // The definition is still there, so the instance can still be cancelled (and then deleted).
        await _api.PostJsonAsync($"/elsa/api/cancel/workflow-instances/{instanceId}", new JsonObject());
        (await _api.DeleteAsync($"/elsa/api/workflow-definitions/{definitionId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/elsa/api/workflow-instances/{instanceId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_faulted_instance_keeps_its_definition_and_its_version_from_being_deleted()
    {
        var faulty = new FlowBuilder().Activity("boom", "Elsa.Fault", Inputs(("code", Lit("E1")), ("message", Lit("Supplier system down")))).Build(name: "Faulty");
        var definitionId = await _api.PublishAsync(faulty);
        var instanceId = await ExecuteAsync(definitionId);
        ((string?)(await _api.InstanceAsync(instanceId))["subStatus"]).Should().Be("Faulted");
        var versionOne = (string)(await _api.InstanceAsync(instanceId))["definitionVersionId"]!;
        // Version 2 is published, so version 1 is neither published nor latest: only the faulted instance holds it.
        await _api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("fixed")))).Build(definitionId, name: "Faulty"));

        var version = await _api.DeleteAsync($"/elsa/api/workflow-definition-versions/{versionOne}");
        version.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await version.Content.ReadAsStringAsync()).Should().Contain("Version 1").And.Contain("1 unfinished or faulted instance");
        (await _api.DeleteAsync($"/elsa/api/workflow-definitions/{definitionId}")).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var retried = await _api.PostJsonAsync($"/elsa/api/workflow-instances/{instanceId}/retry", new JsonObject());
        ((string?)retried["workflowState"]!["subStatus"]).Should().Be("Faulted", "the retry still finds the version it runs on");
        await _api.PostJsonAsync($"/elsa/api/cancel/workflow-instances/{instanceId}", new JsonObject());
        (await _api.DeleteAsync($"/elsa/api/workflow-definition-versions/{versionOne}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/elsa/api/workflow-definitions/{definitionId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_bulk_delete_of_versions_with_one_refused_version_deletes_none()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("v1")))).Build(name: "Versions"));
        var draft = await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject
        {
            ["model"] = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("v2")))).Build(definitionId, name: "Versions"),
            ["publish"] = false,
        });
        var versionTwo = (string)draft["workflowDefinition"]!["id"]!;
        var versionOne = (string)(await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-definition-id/{definitionId}?versionOptions=Published"))["id"]!;

        // The draft comes first: deleted one by one, it would be gone before the published version is refused.
        var refused = await _api.PostAsJsonAsync("/elsa/api/bulk-actions/delete/workflow-definitions/by-id", new JsonObject { ["ids"] = new JsonArray(versionTwo, versionOne) });

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Version 1").And.Contain("published");
        await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-id/{versionTwo}");
        var deleted = await _api.PostJsonAsync("/elsa/api/bulk-actions/delete/workflow-definitions/by-id", new JsonObject { ["ids"] = new JsonArray(versionTwo) });
        ((int)deleted["deleted"]!).Should().Be(1);
        ((bool)(await _api.GetJsonAsync($"/elsa/api/workflow-definitions/by-id/{versionOne}"))["isLatest"]!).Should().BeTrue("the remaining version becomes the latest");
    }

    [Fact]
    public async Task A_start_whose_body_has_a_value_of_the_wrong_type_is_a_bad_request_and_a_runtime_refusal_stays_a_conflict()
    {
        var definitionId = await _api.PublishAsync(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Lit("typed")))).Build(name: "Typed"));

        var wrongType = await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject { ["correlationId"] = 5 }, expectedStatus: 400);
        ((string?)wrongType["title"]).Should().Contain("wrong type");

        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/retract", new JsonObject());
        await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/retract", new JsonObject(), expectedStatus: 409);
    }

    private async Task<string> ExecuteAsync(string definitionId) =>
        (string)(await _api.PostJsonAsync($"/elsa/api/workflow-definitions/{definitionId}/execute", new JsonObject()))["workflowState"]!["id"]!;
}
