using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Feedback.Activities.Organization;

/// <summary>Loads the example (or a company's own) organisation file into an empty directory at first start.</summary>
internal sealed class OrganizationSeeder(FeedbackDomainOptions options, DirectoryService directory, Feedback.Workflows.Persistence.StartupRetry retry,
    ILogger<OrganizationSeeder> logger) : IHostedService
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public Task StartAsync(CancellationToken cancellationToken) => retry.RunAsync("organisation seed", SeedAsync, cancellationToken);

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (options.OrganizationSeedFile is not { } file) return;
        if (!File.Exists(file))
        {
            logger.LogWarning("Organisation seed file {File} is missing; the directory stays as it is", file);
            return;
        }
        await using var stream = File.OpenRead(file);
        var document = await JsonSerializer.DeserializeAsync<OrganizationDocument>(stream, Json, cancellationToken)
            ?? throw new JsonException($"{file} is empty.");
        if (await directory.SeedAsync(document, cancellationToken))
            logger.LogInformation("Loaded the organisation from {File}: {Departments} departments, {Staff} staff", file, document.Departments.Count, document.Staff.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
