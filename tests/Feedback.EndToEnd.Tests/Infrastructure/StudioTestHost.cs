using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real host in-process on its own PostgreSQL database: on a real Kestrel port for the browser tests, or on the
/// in-memory test server for the HTTP-level tests.
/// </summary>
public sealed class StudioTestHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "e2e-api-key";
    public const string UserName = "process.owner";
    public const string Password = "Complaints-are-gifts-42";

    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "feedback-e2e-" + Guid.NewGuid().ToString("N"));

    /// <param name="connectionString">The test's own database.</param>
    /// <param name="kestrel">Listen on a free 127.0.0.1 port (call <see cref="Start"/>); otherwise use the in-memory test server.</param>
    /// <param name="settings">Extra configuration, e.g. <c>Studio:FilesPath</c> or <see cref="ShippedWorkflows.HostSettings"/>.</param>
    public StudioTestHost(string connectionString, bool kestrel = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        _connectionString = connectionString;
        _settings = settings ?? new Dictionary<string, string>();
        if (kestrel) UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>Where the browser reaches the host, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Starts Kestrel and learns the port it was given.</summary>
    public void Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.Single());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:Provider", "PostgreSql");
        builder.UseSetting("ConnectionStrings:Feedback", _connectionString);
        builder.UseSetting("Security:ApiKey", ApiKey);
        // Configured the way an operator would: a hash from ASP.NET Core's PasswordHasher, never the password.
        builder.UseSetting("Admin:Users:0:UserName", UserName);
        builder.UseSetting("Admin:Users:0:PasswordHash", new PasswordHasher<object>().HashPassword(new object(), Password));
        builder.UseSetting("DataFolder", _dataFolder);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // A fresh database makes the migrators' first probe of their history tables fail by design; that is not news here.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
        // Empty: no shipped definitions and no example organisation (the host would otherwise load both from the test
        // output, which holds a copy of workflows/); ShippedWorkflows.HostSettings turns them on.
        builder.UseSetting("Workflows:ShippedFolder", "");
        builder.UseSetting("Directory:SeedFile", "");
        // Tests post far faster than any customer; a test of the limit turns it on through its settings.
        builder.UseSetting("Feedback:Intake:RateLimit", "0");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    /// <summary>A client for the Elsa API with the API key (on the Kestrel port once started, else in memory).</summary>
    public HttpClient Api()
    {
        var client = Address is null ? CreateClient() : new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", ApiKey);
        return client;
    }

    /// <summary>An in-memory client that behaves like a browser on the shell: cookies kept, redirects not followed.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataFolder)) Directory.Delete(_dataFolder, recursive: true);
    }
}

/// <summary>Elsa API calls the tests make around the browser steps.</summary>
public static class ApiCalls
{
    public static async Task<JsonObject> PostJsonAsync(this HttpClient client, string url, JsonNode body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"POST {url} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"GET {url} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Polls an instance until it reaches <paramref name="subStatus"/> or the time is up; returns the last state seen.</summary>
    public static async Task<JsonObject> WaitForInstanceAsync(this HttpClient client, string instanceId, string subStatus, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var instance = await client.GetJsonAsync($"/elsa/api/workflow-instances/{instanceId}");
            if ((string?)instance["subStatus"] == subStatus || DateTime.UtcNow > until) return instance;
            await Task.Delay(250);
        }
    }
}
