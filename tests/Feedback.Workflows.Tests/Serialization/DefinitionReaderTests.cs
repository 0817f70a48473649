using System.Text.Json.Nodes;
using Feedback.Workflows.Model;
using Feedback.Workflows.Serialization;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Serialization;

public sealed class DefinitionReaderTests
{
    private readonly InMemoryRunner _runner = new();

    private IReadOnlyList<string> ErrorsOf(JsonObject definition) =>
        _runner.Invoking(r => r.Read(definition)).Should().Throw<WorkflowDefinitionException>().Which.Errors;

    [Fact]
    public void An_unknown_activity_type_is_named_with_its_activity()
    {
        var errors = ErrorsOf(new FlowBuilder().Activity("x1", "Acme.DoesNotExist").Build());
        errors.Should().ContainSingle().Which.Should().Contain("x1").And.Contain("Acme.DoesNotExist");
    }

    [Fact]
    public void A_connection_to_a_missing_activity_or_port_is_refused()
    {
        var errors = ErrorsOf(new FlowBuilder()
            .Activity("d", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("w", "Elsa.WriteLine")
            .Connect("d", "w", "Maybe").Connect("d", "ghost", "True").Build());
        errors.Should().HaveCount(2);
        errors.Should().Contain(e => e.Contains("no outcome 'Maybe'") && e.Contains("True, False"));
        errors.Should().Contain(e => e.Contains("'ghost' does not exist"));
    }

    [Fact]
    public void A_malformed_script_is_refused_with_activity_input_and_position()
    {
        var errors = ErrorsOf(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Js("return (1 + ;")))).Build());
        errors.Should().ContainSingle().Which.Should().Contain("'w'").And.Contain("Text").And.Contain("JavaScript");
    }

    [Fact]
    public void An_unknown_expression_syntax_is_refused()
    {
        var errors = ErrorsOf(new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", In("Cobol", "DISPLAY 'HI'.")))).Build());
        errors.Single().Should().Contain("Cobol").And.Contain("JavaScript");
    }

    [Fact]
    public void Bad_json_text_reports_line_and_position()
    {
        var act = () => WorkflowDefinitionReader.ParseDefinitionText("{\n  \"root\": {\n    \"type\": \"Elsa.Flowchart\",,\n}");
        act.Should().Throw<WorkflowDefinitionException>().Which.Message.Should().Contain("line 3");
    }

    [Fact]
    public void Legacy_shapes_are_read_leniently()
    {
        // Top-level canStartWorkflow, flat connections, bare literal inputs and Newtonsoft "$values" wrappers.
        var definition = JsonNode.Parse("""
            {"root":{"type":"Elsa.Flowchart","id":"r",
              "activities":{"$values":[
                {"id":"a","type":"Elsa.WriteLine","text":"hello","canStartWorkflow":true},
                {"id":"b","type":"Elsa.End"}]},
              "connections":[{"source":"a","sourcePort":"Done","target":"b","targetPort":"In"}]}}
            """)!.AsObject();

        var model = _runner.Read(definition);

        model.Root.Activities.Should().HaveCount(2);
        model.Root.ById["a"].CanStartWorkflow.Should().BeTrue();
        var text = model.Root.ById["a"].Expressions["Text"];
        text.Type.Should().Be(Expression.Types.Literal);
        text.ValueAsText.Should().Be("hello");
        model.Root.Connections.Should().ContainSingle().Which.Should().Be(new Connection("a", "Done", "b", "In"));
    }

    [Fact]
    public void A_plain_input_saved_by_the_studio_json_editor_is_unwrapped()
    {
        var cases = "[{\"label\":\"low\",\"condition\":{\"type\":\"JavaScript\",\"value\":\"true\"}}]";
        var model = _runner.Read(new FlowBuilder()
            .Activity("sw", "Elsa.FlowSwitch", Inputs(("cases", In("Literal", cases))))
            .Build());

        var stored = model.Root.ById["sw"].PlainInputs["Cases"]!;
        stored.Should().BeOfType<JsonArray>();
        ((string?)stored[0]!["label"]).Should().Be("low");
    }

    [Fact]
    public void Type_aliases_and_legacy_assembly_qualified_names_resolve_to_the_same_type()
    {
        Descriptors.TypeAliases.Resolve("Int32").Should().Be(typeof(int));
        Descriptors.TypeAliases.Resolve("System.Int32, System.Private.CoreLib").Should().Be(typeof(int));
        Descriptors.TypeAliases.Resolve("List<String>").Should().Be(typeof(List<string>));
        Descriptors.TypeAliases.Resolve("Some.Unregistered.Type, Evil").Should().Be(typeof(object), "unknown names are never loaded by reflection");
    }
}
