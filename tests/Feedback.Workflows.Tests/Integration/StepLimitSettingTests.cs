using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.Workflows.Tests.Integration;

/// <summary>Workflows:MaxConcurrentSteps reaches the runtime, and a bad value stops start-up naming the setting.</summary>
public sealed class StepLimitSettingTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;

    public async Task InitializeAsync() => _db = await PostgresDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task The_setting_sets_the_limit_and_without_it_the_limit_is_four_steps_per_processor()
    {
        await using var host = new TestHost(_db.ConnectionString);
        host.Services.GetRequiredService<WorkflowRuntimeOptions>().MaxConcurrentSteps.Should().Be(4 * Environment.ProcessorCount);

        await using var configured = host.WithWebHostBuilder(b => b.UseSetting("Workflows:MaxConcurrentSteps", "3"));
        configured.Services.GetRequiredService<WorkflowRuntimeOptions>().MaxConcurrentSteps.Should().Be(3);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("eight")]
    [InlineData("-4")]
    public async Task A_limit_that_is_not_a_whole_number_from_1_to_1024_stops_start_up_naming_the_setting(string limit)
    {
        await using var host = new TestHost(_db.ConnectionString);
        await using var factory = host.WithWebHostBuilder(b => b.UseSetting("Workflows:MaxConcurrentSteps", limit));

        var start = () => factory.Services;

        start.Should().Throw<InvalidOperationException>().WithMessage($"Workflows:MaxConcurrentSteps is '{limit}'; use a whole number from 1 to 1024.");
    }
}
