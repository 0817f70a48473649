using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>One in-process host on a given database, as a separate process would be (own services, own scheduler).</summary>
public sealed class TestHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key";
    private readonly string _connectionString;

    public TestHost(string connectionString) => _connectionString = connectionString;

    /// <summary>Shipped definitions to publish at start-up; none unless a test asks.</summary>
    public string? ShippedFolder { get; init; }

    /// <summary>The loopback SMTP server customer mail goes to; none unless a test asks.</summary>
    public int? SmtpPort { get; init; }

    /// <summary>An organisation file to seed the directory with; none unless a test asks.</summary>
    public string? OrganizationSeedFile { get; init; }

    /// <summary>Hand-moved time for the runtime, the domain and the timers (instead of the wall clock and Quartz); none unless a test asks.</summary>
    public ManualTime? Time { get; init; }

    /// <summary>The database provider the connection string is for: PostgreSql unless a test runs the embedded Sqlite default.</summary>
    public string Provider { get; init; } = "PostgreSql";

    /// <summary>
    /// Where the host keeps its files (development mailbox, generated secrets); unless a test asks, a temporary folder of
    /// this host's own, deleted with it, so that hosts never share files and nothing is left in the source tree.
    /// </summary>
    public string? DataFolder { get; init; }

    /// <summary>
    /// False: this host dispatches instances but never runs them (no PendingInstanceWorker), as a host that dies between
    /// writing a Pending instance and running it; another host must pick them up.
    /// </summary>
    public bool RunsDispatchedInstances { get; init; } = true;

    private readonly string _ownDataFolder = Path.Combine(Path.GetTempPath(), "feedback-test-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Time is { } time) builder.ConfigureTestServices(time.Register);
        if (!RunsDispatchedInstances) builder.ConfigureTestServices(WithoutPendingInstanceWorker);
        builder.UseSetting("Database:Provider", Provider);
        builder.UseSetting("DataFolder", DataFolder ?? _ownDataFolder);
        builder.UseSetting("ConnectionStrings:Feedback", _connectionString);
        builder.UseSetting("Security:ApiKey", ApiKey);
        builder.UseSetting("Privacy:CustomerKeySecret", "test-customer-key-secret");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Workflows:ShippedFolder", ShippedFolder ?? "");
        builder.UseSetting("Directory:SeedFile", OrganizationSeedFile ?? "");
        // Tests post far faster than any customer; the limit itself is tested with it on.
        builder.UseSetting("Feedback:Intake:RateLimit", "0");
        if (SmtpPort is { } port)
        {
            builder.UseSetting("Email:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Email:Smtp:Port", port.ToString());
            builder.UseSetting("Email:Smtp:Security", "None");
            builder.UseSetting("Email:From", "feedback@cannery.example");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_ownDataFolder)) Directory.Delete(_ownDataFolder, recursive: true);
    }

    /// <summary>The worker is registered as a hosted service through a factory; the one that yields it gets a no-op instead.</summary>
    private static void WithoutPendingInstanceWorker(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i] is not { ServiceType: var type, IsKeyedService: false, ImplementationFactory: { } factory } || type != typeof(IHostedService)) continue;
            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => factory(sp) switch
            {
                PendingInstanceWorker => new NoHostedService(),
                var service => (IHostedService)service,
            });
        }
    }

    private sealed class NoHostedService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient Api()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", ApiKey);
        return client;
    }
}

/// <summary>Calls the Elsa API and reads JSON answers.</summary>
public static class ApiCalls
{
    public static async Task<JsonObject> PostJsonAsync(this HttpClient client, string url, JsonNode body, int expectedStatus = 200)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(expectedStatus, text);
        return string.IsNullOrEmpty(text) ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string url, int expectedStatus = 200)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(expectedStatus, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Saves (and publishes) a definition; returns its definition id.</summary>
    public static async Task<string> PublishAsync(this HttpClient client, JsonObject definition)
    {
        var saved = await client.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true });
        return (string)saved["workflowDefinition"]!["definitionId"]!;
    }

    public static async Task<JsonObject> InstanceAsync(this HttpClient client, string id) => await client.GetJsonAsync($"/elsa/api/workflow-instances/{id}");

    /// <summary>Polls until the instance reaches <paramref name="subStatus"/> or the time runs out.</summary>
    public static async Task<JsonObject> WaitForAsync(this HttpClient client, string id, string subStatus, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var instance = await client.InstanceAsync(id);
            if ((string?)instance["subStatus"] == subStatus || DateTime.UtcNow > until) return instance;
            await Task.Delay(200);
        }
    }
}
