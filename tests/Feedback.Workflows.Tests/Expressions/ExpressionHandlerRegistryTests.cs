using Feedback.Workflows.Expressions;
using Feedback.Workflows.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Tests.Expressions;

public sealed class ExpressionHandlerRegistryTests
{
    [Fact]
    public async Task Finds_handlers_by_syntax_ignoring_case()
    {
        var registry = ExpressionHandlerRegistry.CreateDefault();
        var scope = new FakeExpressionScope();

        registry.Get("javascript").Should().BeOfType<JavaScriptExpressionHandler>();
        (await registry.EvaluateAsync(new Expression("Liquid", "{{ 1 | plus: 1 }}"), scope.Context(), default)).Should().Be("2");
        registry.Types.Should().BeEquivalentTo("Literal", "Object", "Json", "Variable", "Input", "JavaScript", "Liquid");
    }

    [Fact]
    public async Task Unknown_syntax_is_a_clear_error()
    {
        var registry = ExpressionHandlerRegistry.CreateDefault();

        var act = () => registry.EvaluateAsync(new Expression("CSharp", "1"), new FakeExpressionScope().Context(), default).AsTask();

        (await act.Should().ThrowAsync<ExpressionEvaluationException>()).Which.Message
            .Should().StartWith("No expression handler for syntax 'CSharp'. Known: ").And.Contain("JavaScript");
        registry.Validate(new Expression("CSharp", "1")).Should().ContainSingle().Which.Should().Contain("'CSharp'");
    }

    [Fact]
    public async Task Failures_arrive_through_the_returned_task()
    {
        var registry = ExpressionHandlerRegistry.CreateDefault();

        var task = registry.Get("JavaScript").EvaluateAsync(new Expression("JavaScript", "throw new Error('x')"), new FakeExpressionScope().Context(), default);

        task.IsFaulted.Should().BeTrue();
        await task.AsTask().Invoking(t => t).Should().ThrowAsync<ExpressionEvaluationException>();
    }

    [Fact]
    public void Lists_descriptors_as_studio_expects()
    {
        var descriptors = ExpressionHandlerRegistry.CreateDefault().Descriptors.ToDictionary(d => d.Type);

        descriptors["Literal"].IsBrowsable.Should().BeFalse();
        descriptors["Object"].Properties.Should().Contain("MonacoLanguage", "json");
        descriptors["Liquid"].Properties.Should().Contain("MonacoLanguage", "liquid");
        descriptors.Values.Should().OnlyContain(d => d.IsSerializable);
    }

    [Fact]
    public void Duplicate_syntaxes_are_rejected() =>
        new Action(() => _ = new ExpressionHandlerRegistry([new LiteralExpressionHandler(), new LiteralExpressionHandler()]))
            .Should().Throw<ArgumentException>().WithMessage("*'Literal'*");

    [Fact]
    public void Registers_handlers_and_registry_in_di_once()
    {
        var services = new ServiceCollection()
            .AddWorkflowExpressions(o => o.Timeout = TimeSpan.FromSeconds(1))
            .AddWorkflowExpressions();
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IExpressionHandler>().Should().HaveCount(7);
        provider.GetRequiredService<ExpressionHandlerRegistry>().Descriptors.Should().HaveCount(7);
    }
}
