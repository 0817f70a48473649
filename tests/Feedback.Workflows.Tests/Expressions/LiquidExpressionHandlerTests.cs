using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;

namespace Feedback.Workflows.Tests.Expressions;

public sealed class LiquidExpressionHandlerTests
{
    private static readonly LiquidExpressionHandler Handler = new(new FixedTime(new DateTimeOffset(2024, 5, 1, 14, 30, 0, TimeSpan.Zero)));
    private readonly FakeExpressionScope _scope = new();

    [Fact]
    public async Task Renders_variables_and_workflow_identity()
    {
        _scope.WithVariable("CustomerName", "Ann");
        _scope.CorrelationId = "case-9";

        (await Render("Hello {{ Variables.CustomerName }}, case {{ CorrelationId }}")).Should().Be("Hello Ann, case case-9");
        (await Render("{{ WorkflowInstanceId }} {{ WorkflowDefinitionId }} {{ WorkflowDefinitionVersionId }} {{ WorkflowDefinitionVersion }}"))
            .Should().Be("instance-1 definition-1 definition-1:v3 3");
        (await Render("[{{ Variables.Undeclared }}]")).Should().Be("[]");
    }

    [Fact]
    public async Task Renders_workflow_input()
    {
        _scope.WithInput("email", "a@b.c");

        (await Render("Mail {{ Input.email }} / {{ Input.Email }} / {{ Input.missing }}.")).Should().Be("Mail a@b.c / a@b.c / .");
    }

    [Fact]
    public async Task Navigates_nested_json()
    {
        _scope.WithVariable("Customer", JsonNode.Parse("""{"name":"Ann","address":{"city":"Oslo"},"tags":["a","b"],"score":4.50}"""));

        // Fluid prints numbers without trailing zeros; the json filter keeps the digits as written.
        (await Render("{{ Variables.Customer.name }} in {{ Variables.Customer.address.city }}, {{ Variables.Customer.tags[1] }}, {{ Variables.Customer.tags.size }}, {{ Variables.Customer.Score }}"))
            .Should().Be("Ann in Oslo, b, 2, 4.5");
        (await Render("{{ Variables.Customer.address }}")).Should().Be("""{"city":"Oslo"}""");
        (await Render("{{ Variables.Customer | keys | join: ',' }}")).Should().Be("name,address,tags,score");
        (await Render("{{ Variables.Customer | json }}")).Should().Be("""{"name":"Ann","address":{"city":"Oslo"},"tags":["a","b"],"score":4.50}""");
    }

    [Fact]
    public async Task Loops_over_json_arrays()
    {
        _scope.WithVariable("Items", JsonNode.Parse("""[{"name":"pen","qty":2},{"name":"ink","qty":0},{"name":"pad","qty":5}]"""));

        (await Render("{% for item in Variables.Items %}{{ forloop.index }}:{{ item.name }}{% unless forloop.last %}, {% endunless %}{% endfor %}"))
            .Should().Be("1:pen, 2:ink, 3:pad");
        (await Render("{% for item in Variables.Items reversed limit:2 %}{{ item.name }} {% endfor %}")).Should().Be("ink pen ");
        // Liquid treats 0 as true, so only `nil`/`false` are filtered out by a one-argument `where`.
        (await Render("{{ Variables.Items | where: 'qty' | map: 'name' | join: ', ' }}")).Should().Be("pen, ink, pad");
        (await Render("{{ Variables.Items | where: 'qty', 5 | map: 'name' | join: ', ' }}")).Should().Be("pad");
        (await Render("{% for i in (1..3) %}{{ i }}{% endfor %}|{% for i in Variables.Items limit:1 %}{{ i.qty }}{% else %}none{% endfor %}|{% for i in Variables.Nothing %}x{% else %}none{% endfor %}"))
            .Should().Be("123|2|none");
    }

    [Fact]
    public async Task Supports_control_flow_assign_and_capture()
    {
        _scope.WithVariable("Score", 7).WithVariable("Status", "open");

        const string template = """
            {%- assign level = Variables.Score | times: 10 -%}
            {%- if level >= 90 %}high{% elsif level > 50 and Variables.Status == 'open' %}medium{% else %}low{% endif -%}
            {%- case Variables.Status %}{% when 'closed', 'done' %} finished{% when 'open' %} ongoing{% endcase -%}
            {%- capture summary %} [{{ level }}]{% endcapture %}{{ summary }}
            """;

        (await Render(template)).Should().Be("medium ongoing [70]");
    }

    [Fact]
    public async Task Does_not_html_encode()
    {
        _scope.WithVariable("Html", "<b>Tom & Jerry</b>");

        (await Render("{{ Variables.Html }}|{{ Variables.Html | escape }}")).Should().Be("<b>Tom & Jerry</b>|&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;");
    }

    [Fact]
    public async Task Applies_standard_filters()
    {
        (await Render("{{ 'hello world' | upcase | truncate: 8 }}")).Should().Be("HELLO...");
        // Fluid's arithmetic, as on an Elsa server: dividing by an integer gives an integer, a remainder keeps the dividend's sign.
        (await Render("{{ nothing | default: 'n/a' }} {{ 10 | divided_by: 4 }} {{ 10 | divided_by: 4.0 }} {{ -7 | modulo: 3 }}")).Should().Be("n/a 2 2.5 -1");
        (await Render("{{ 'a,b,c' | split: ',' | reverse | join: '-' }} {{ 'x' | base64 }}")).Should().Be("c-b-a eA==");
        (await Render("{{ 'now' | date: '%Y-%m-%d %H:%M' }} {{ '2024-01-05T08:00:00Z' | date: '%-d %b %Y' }}")).Should().Be("2024-05-01 14:30 5 Jan 2024");
    }

    [Fact]
    public async Task Reports_parse_errors_with_position()
    {
        var act = () => Render("Hi\n{% if Variables.X %}never closed");
        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message
            .Should().Contain("'{% endif %}' was expected").And.Contain("line 2, column 33");

        Handler.Validate(new Expression("Liquid", "{{ x | no_such_filter }}")).Should().ContainSingle().Which.Should().Contain("Unknown filter 'no_such_filter'");
        Handler.Validate(new Expression("Liquid", "{{ x ")).Should().ContainSingle().Which.Should().Contain("End of tag '}}' was expected").And.Contain("line 1, column 5");
        Handler.Validate(new Expression("Liquid", "{% bogus %}")).Should().ContainSingle().Which.Should().Contain("Unknown tag 'bogus'");
        Handler.Validate(new Expression("Liquid", "{% for x in y %}{{ x }}{% endfor %}")).Should().BeEmpty();
    }

    [Fact]
    public async Task Stops_runaway_templates()
    {
        var act = () => Render("{% for i in (1..100000000) %}x{% endfor %}");

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("limit");

        var doubling = string.Concat(Enumerable.Repeat("{% assign s = s | append: s %}", 10));
        var huge = () => Render("{% assign s = '0123456789' %}" + doubling + "{% for i in (1..1000) %}{{ s }}{% endfor %}");
        (await huge.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message.Should().Contain("more than 8388608 characters");
    }

    [Fact]
    public async Task Supports_cycle_counters_and_loop_jumps()
    {
        (await Render("{% cycle 'a', 'b' %}{% cycle 'a', 'b' %}{% cycle 'a', 'b' %}")).Should().Be("aba");
        (await Render("{% increment n %}{% increment n %}{% increment m %}")).Should().Be("010");
        (await Render("{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"))
            .Should().Be("13");
    }

    [Fact]
    public async Task Raw_and_comments_are_not_interpreted()
    {
        (await Render("a{% comment %}{{ ignored }}{% endcomment %}b{% raw %}{{ kept }}{% endraw %}")).Should().Be("ab{{ kept }}");
    }

    private Task<object?> Render(string template) =>
        Handler.EvaluateAsync(new Expression("Liquid", template), _scope.Context(), CancellationToken.None).AsTask();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
