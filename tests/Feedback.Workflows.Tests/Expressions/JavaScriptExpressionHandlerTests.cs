using System.Diagnostics;
using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Tests.Expressions;

public sealed class JavaScriptExpressionHandlerTests
{
    private static readonly JavaScriptExpressionHandler Handler = new();
    private readonly FakeExpressionScope _scope = new();

    [Fact]
    public async Task Evaluates_arithmetic_to_an_integer()
    {
        (await Evaluate("1 + 2 * 3")).Should().BeOfType<long>().Which.Should().Be(7);
        (await Evaluate("7 / 2")).Should().BeOfType<double>().Which.Should().Be(3.5);
    }

    [Theory]
    [InlineData("var x = 5; x > 1")]
    [InlineData("var x = 5; return x > 1;")]
    public async Task Accepts_both_expression_and_return_forms(string script) =>
        (await Evaluate(script)).Should().Be(true);

    [Fact]
    public async Task GetVariable_and_setVariable_go_through_the_scope()
    {
        _scope.WithVariable("Count", 2);

        await Evaluate("setVariable('Count', getVariable('Count') + 1)");

        _scope.GetVariable("Count")!.GetValue<long>().Should().Be(3);
    }

    [Fact]
    public async Task Unknown_variables_are_reported()
    {
        var act = () => Evaluate("getVariable('Nope')");

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("'Nope' is not declared");
    }

    [Fact]
    public async Task Variables_object_reads_and_writes_back()
    {
        _scope.WithVariable("Name", "Bob").WithVariable("Count", 2).WithVariable("Customer", new JsonObject { ["name"] = "Ann" });

        (await Evaluate("variables.Name + '!'")).Should().Be("Bob!");
        _scope.Writes.Should().BeEmpty("a variable that was only read is not written back");

        await Evaluate("variables.Count = variables.Count * 10; variables['Customer'].name = 'Alice'");

        _scope.GetVariable("Count")!.GetValue<long>().Should().Be(20);
        _scope.GetVariable("Customer")!["name"]!.GetValue<string>().Should().Be("Alice");
        _scope.Writes.Select(w => w.Name).Should().BeEquivalentTo("Count", "Customer");
    }

    [Fact]
    public async Task Assigning_an_undeclared_variable_fails_clearly()
    {
        _scope.WithVariable("Known", 1);

        var act = () => Evaluate("variables.Known = 2; variables.Missing = 5");

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message
            .Should().Contain("variables.Missing").And.Contain("declared: Known");
        _scope.Writes.Should().BeEmpty("a failed expression writes nothing back");
    }

    [Fact]
    public async Task SetVariable_after_reading_variables_is_not_overwritten_by_a_stale_copy()
    {
        _scope.WithVariable("Count", 1);

        (await Evaluate("var before = variables.Count; setVariable('Count', 9); before + variables.Count")).Should().Be(10L);

        _scope.GetVariable("Count")!.GetValue<long>().Should().Be(9);
    }

    [Fact]
    public async Task Generated_accessors_exist_for_variables_and_inputs()
    {
        _scope.WithVariable("score", 5).WithVariable("order_id", "A-1").WithInput("customerEmail", "a@b.c");

        (await Evaluate("setScore(getScore() + 1); getScore()")).Should().Be(6L);
        (await Evaluate("getOrder_id() + '/' + getOrderId()")).Should().Be("A-1/A-1");
        (await Evaluate("getCustomerEmail()")).Should().Be("a@b.c");
    }

    [Fact]
    public async Task Built_in_functions_win_over_generated_accessors()
    {
        _scope.WithVariable("Variable", "shadow").WithVariable("Other", 1);

        (await Evaluate("getVariable('Other')")).Should().Be(1L);
    }

    [Fact]
    public async Task Reads_inputs_outputs_and_the_last_result()
    {
        _scope.WithInput("Amount", 12.5);
        _scope.Outputs[("SendEmail1", "Result")] = new JsonObject { ["ok"] = true };
        _scope.LastResult = "last";

        (await Evaluate("getInput('Amount') * 2")).Should().Be(25L);
        (await Evaluate("getInput('Missing')")).Should().BeNull();
        (await Evaluate("getOutputFrom('SendEmail1', 'Result').ok")).Should().Be(true);
        (await Evaluate("getLastResult()")).Should().Be("last");
    }

    [Fact]
    public async Task Exposes_and_updates_workflow_identity()
    {
        (await Evaluate("getWorkflowInstanceId() + '|' + getWorkflowDefinitionId() + '|' + getWorkflowDefinitionVersionId() + '|' + getWorkflowDefinitionVersion()"))
            .Should().Be("instance-1|definition-1|definition-1:v3|3");

        await Evaluate("setCorrelationId('order-' + 7); setWorkflowInstanceName('Order 7')");

        _scope.CorrelationId.Should().Be("order-7");
        _scope.WorkflowInstanceName.Should().Be("Order 7");
        (await Evaluate("getCorrelationId()")).Should().Be("order-7");
    }

    [Fact]
    public async Task Converts_results_to_clr_values_and_json()
    {
        (await Evaluate("'text'")).Should().Be("text");
        (await Evaluate("1.5")).Should().BeOfType<double>().Which.Should().Be(1.5);
        (await Evaluate("2 ** 40")).Should().BeOfType<long>().Which.Should().Be(1L << 40);
        (await Evaluate("2 ** 60")).Should().BeOfType<double>("integers beyond 2^53 are not exact in JavaScript");
        (await Evaluate("new Number(5)")).Should().BeOfType<long>().Which.Should().Be(5);
        (await Evaluate("true")).Should().BeOfType<bool>().Which.Should().BeTrue();
        (await Evaluate("undefined")).Should().BeNull();
        (await Evaluate("null")).Should().BeNull();
        (await Evaluate("new Date(0)")).Should().Be("1970-01-01T00:00:00.000Z");
        (await Evaluate("[1, 'a', null]")).Should().BeOfType<JsonArray>().Which.ToJsonString().Should().Be("[1,\"a\",null]");
        var obj = (await Evaluate("({ a: 1, b: { c: [true] } })")).Should().BeOfType<JsonObject>().Subject;
        obj["b"]!["c"]![0]!.GetValue<bool>().Should().BeTrue();

        var act = () => Evaluate("(function () {})");
        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("function");
    }

    [Fact]
    public async Task Json_values_cross_into_scripts_as_plain_objects()
    {
        _scope.WithVariable("Order", JsonNode.Parse("""{"lines":[{"qty":2},{"qty":3}],"when":"2024-05-01T10:00:00Z"}"""));

        (await Evaluate("variables.Order.lines.reduce((s, l) => s + l.qty, 0)")).Should().Be(5L);
        (await Evaluate("new Date(getVariable('Order').when).getUTCHours()")).Should().Be(10L);
    }

    [Fact]
    public async Task Provides_elsa_helper_functions()
    {
        (await Evaluate("isNullOrWhiteSpace('  ') && isNullOrEmpty(null) && !isNullOrEmpty('x')")).Should().Be(true);
        (await Evaluate("toJson({ a: [1] })")).Should().Be("{\"a\":[1]}");
        (await Evaluate("stringFromBase64(stringToBase64('héllo'))")).Should().Be("héllo");
        (await Evaluate("newShortGuid().length")).Should().Be(22L);
        (await Evaluate("parseGuid('6F9619FF-8B86-D011-B42D-00C04FC964FF')")).Should().Be("6f9619ff-8b86-d011-b42d-00c04fc964ff");
        (await Evaluate("newGuid() !== newGuidString()")).Should().Be(true);
    }

    [Fact]
    public async Task Stops_an_infinite_loop_at_the_time_limit()
    {
        var handler = new JavaScriptExpressionHandler(new JavaScriptOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();

        var act = () => Evaluate("while (true) {}", handler);

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("time limit of 300 ms");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Cancellation_stops_a_running_script()
    {
        var handler = new JavaScriptExpressionHandler(new JavaScriptOptions { Timeout = null });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var act = () => handler.EvaluateAsync(new Expression("JavaScript", "while (true) {}"), _scope.Context(), cancellation.Token).AsTask();

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Stops_deep_recursion()
    {
        var act = () => Evaluate("function f(n) { return f(n + 1); } f(0)");

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("recursion limit of 256");
    }

    [Fact]
    public async Task Stops_huge_allocations()
    {
        var handler = new JavaScriptExpressionHandler(new JavaScriptOptions { MemoryLimitBytes = 4 * 1024 * 1024 });

        var act = () => Evaluate("var a = []; while (true) { a.push(new Array(1000).fill(1)); }", handler);

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("memory limit of 4 MB");
    }

    [Fact]
    public async Task Has_no_access_to_the_clr()
    {
        (await Evaluate("typeof System")).Should().Be("undefined");
        (await Evaluate("typeof importNamespace")).Should().Be("undefined");
        (await Evaluate("typeof clrHelper")).Should().Be("undefined");

        var act = () => Evaluate("importNamespace('System.IO').File.ReadAllText('/etc/passwd')");
        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("importNamespace is not defined");
    }

    [Fact]
    public async Task Reports_syntax_errors_with_their_position()
    {
        const string script = "if (true) {\n  foo(;\n}";

        var act = () => Evaluate(script);

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("syntax error at line 2, column 7");
        Handler.Validate(new Expression("JavaScript", script)).Should().ContainSingle().Which.Should().Contain("line 2");
        Handler.Validate(new Expression("JavaScript", "return getVariable('x') > 1;")).Should().BeEmpty();
    }

    [Fact]
    public async Task Reports_runtime_errors_with_their_message()
    {
        var act = () => Evaluate("\nthrow new TypeError('bad input')");

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Be("JavaScript TypeError at line 2, column 7: bad input");
    }

    [Fact]
    public async Task Settles_promises()
    {
        (await Evaluate("(async () => 41 + 1)()")).Should().Be(42L);
        var act = () => Evaluate("Promise.reject(new Error('no'))");
        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("rejected");
    }

    [Fact]
    public void Rejects_invalid_options() =>
        new Action(() => _ = new JavaScriptExpressionHandler(new JavaScriptOptions { Timeout = TimeSpan.Zero }))
            .Should().Throw<ArgumentOutOfRangeException>();

    [Fact]
    public void Describes_itself_for_studio()
    {
        Handler.Descriptor.Type.Should().Be("JavaScript");
        Handler.Descriptor.IsBrowsable.Should().BeTrue();
        Handler.Descriptor.Properties.Should().Contain("MonacoLanguage", "javascript");
    }

    [Fact]
    public async Task Local_dates_are_utc_whatever_zone_the_machine_is_in()
    {
        // Run with TZ=Asia/Shanghai (or any zone off UTC) to see this fail without the engine's zone pinned.
        (await Evaluate("new Date(2026, 0, 1).toISOString()")).Should().Be("2026-01-01T00:00:00.000Z");
        (await Evaluate("new Date('2026-01-01T00:00:00Z').getHours()")).Should().Be(0L);
        (await Evaluate("new Date(2026, 5, 1).getTimezoneOffset()")).Should().Be(0L);
    }

    private Task<object?> Evaluate(string script, JavaScriptExpressionHandler? handler = null) =>
        (handler ?? Handler).EvaluateAsync(new Expression("JavaScript", script), _scope.Context(), CancellationToken.None).AsTask();
}
