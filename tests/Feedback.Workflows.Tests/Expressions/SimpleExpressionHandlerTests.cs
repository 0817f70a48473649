using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Tests.Expressions;

public sealed class SimpleExpressionHandlerTests
{
    private readonly FakeExpressionScope _scope = new();

    [Fact]
    public async Task Literal_returns_a_detached_copy_of_the_value()
    {
        var definition = new JsonObject { ["value"] = new JsonArray(1, 2) };
        var expression = Expression.Literal(definition["value"]);

        var result = await new LiteralExpressionHandler().EvaluateAsync(expression, _scope.Context(), default);

        var array = result.Should().BeOfType<JsonArray>().Subject;
        array.Parent.Should().BeNull("the caller may attach the result elsewhere");
        array.ToJsonString().Should().Be("[1,2]");
        ((JsonValue)(await new LiteralExpressionHandler().EvaluateAsync(Expression.Literal("00:05:00"), _scope.Context(), default))!)
            .GetValue<string>().Should().Be("00:05:00");
    }

    [Theory]
    [InlineData("Object")]
    [InlineData("Json")]
    public async Task Object_parses_json_text(string syntax)
    {
        var handler = Handler(syntax);

        var result = await handler.EvaluateAsync(new Expression(syntax, "[\"GET\",\"POST\"]"), _scope.Context(), default);

        result.Should().BeOfType<JsonArray>().Which.ToJsonString().Should().Be("[\"GET\",\"POST\"]");
        (await handler.EvaluateAsync(new Expression(syntax, "{\"a\":1}"), _scope.Context(), default))
            .Should().BeOfType<JsonObject>().Which["a"]!.GetValue<int>().Should().Be(1);
        (await handler.EvaluateAsync(new Expression(syntax, "  "), _scope.Context(), default)).Should().BeNull();
        (await handler.EvaluateAsync(new Expression(syntax, new JsonObject { ["b"] = 2 }), _scope.Context(), default))
            .Should().BeOfType<JsonObject>().Which["b"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task Object_rejects_invalid_json_with_its_position()
    {
        var handler = new ObjectExpressionHandler();
        var expression = new Expression("Object", "{\"a\": 1,\n \"b\": }");

        var act = () => handler.EvaluateAsync(expression, _scope.Context(), default).AsTask();

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("line 2");
        handler.Validate(expression).Should().ContainSingle().Which.Should().Contain("not valid JSON");
        handler.Validate(new Expression("Object", "[1, 2]")).Should().BeEmpty();
    }

    [Fact]
    public async Task Variable_reads_by_id_then_name_and_rejects_unknown_ones()
    {
        _scope.WithVariable("Score", 42, id: "var-1");
        var handler = new VariableExpressionHandler();

        (await handler.EvaluateAsync(new Expression("Variable", new JsonObject { ["id"] = "var-1", ["name"] = "Score" }), _scope.Context(), default))
            .Should().BeAssignableTo<JsonNode>().Which.GetValue<int>().Should().Be(42);
        (await handler.EvaluateAsync(new Expression("Variable", new JsonObject { ["id"] = "stale-id", ["name"] = "Score" }), _scope.Context(), default))
            .Should().BeAssignableTo<JsonNode>().Which.GetValue<int>().Should().Be(42);
        (await handler.EvaluateAsync(new Expression("Variable", "Score"), _scope.Context(), default))
            .Should().BeAssignableTo<JsonNode>().Which.GetValue<int>().Should().Be(42);

        var act = () => handler.EvaluateAsync(new Expression("Variable", new JsonObject { ["id"] = "x", ["name"] = "Nope" }), _scope.Context(), default).AsTask();
        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("'Nope'").And.Contain("not declared");
        handler.Validate(new Expression("Variable", new JsonObject())).Should().ContainSingle();
    }

    [Fact]
    public async Task Input_reads_the_workflow_input_and_gives_null_when_absent()
    {
        _scope.WithInput("Email", "a@b.c");
        var handler = new InputExpressionHandler();

        (await handler.EvaluateAsync(new Expression("Input", new JsonObject { ["name"] = "Email", ["type"] = "String" }), _scope.Context(), default))
            .Should().BeAssignableTo<JsonNode>().Which.GetValue<string>().Should().Be("a@b.c");
        (await handler.EvaluateAsync(new Expression("Input", "email"), _scope.Context(), default))
            .Should().BeAssignableTo<JsonNode>().Which.GetValue<string>().Should().Be("a@b.c");
        (await handler.EvaluateAsync(new Expression("Input", "Missing"), _scope.Context(), default)).Should().BeNull();
    }

    private static IExpressionHandler Handler(string syntax) =>
        syntax == "Json" ? new JsonExpressionHandler() : new ObjectExpressionHandler();
}
