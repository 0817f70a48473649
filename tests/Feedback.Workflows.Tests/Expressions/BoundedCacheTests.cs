using Feedback.Workflows.Expressions;

namespace Feedback.Workflows.Tests.Expressions;

public sealed class BoundedCacheTests
{
    [Fact]
    public void Evicts_the_least_recently_used_entry()
    {
        var cache = new BoundedCache<string, int>(2);
        cache.GetOrAdd("a", _ => 1);
        cache.GetOrAdd("b", _ => 2);
        cache.TryGet("a", out _).Should().BeTrue();

        cache.GetOrAdd("c", _ => 3);

        cache.Count.Should().Be(2);
        cache.TryGet("b", out _).Should().BeFalse();
        cache.TryGet("a", out var a).Should().BeTrue();
        a.Should().Be(1);
    }

    [Fact]
    public void A_failing_factory_caches_nothing()
    {
        var cache = new BoundedCache<string, int>(2);

        new Action(() => cache.GetOrAdd("x", _ => throw new InvalidOperationException("boom"))).Should().Throw<InvalidOperationException>();

        cache.Count.Should().Be(0);
        cache.GetOrAdd("x", _ => 7).Should().Be(7);
    }
}
