using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Feedback.Workflows.Tests.Infrastructure;

/// <summary>The real host as a child process, so that tests can kill it with SIGKILL like a crash would.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private readonly string? _ownDataFolder;

    private HostProcess(Process process, int port, string? ownDataFolder)
    {
        _process = process;
        _ownDataFolder = ownDataFolder;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", TestHost.ApiKey);
    }

    public int Port { get; }
    public HttpClient Client { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts <c>Feedback.Host.dll</c> from its build output on PostgreSQL and waits until it answers.</summary>
    /// <param name="settings">Further settings as environment variables (<c>Section__Key</c>), over the defaults here.</param>
    public static async Task<HostProcess> StartAsync(string connectionString, int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        // A port picked free can be taken by another process before the host binds it; only then is a new one worth a try.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(connectionString, port ?? FreePort(), settings);
            }
            catch (InvalidOperationException e) when (port is null && attempt < 3 && e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<HostProcess> StartOnAsync(string connectionString, int chosen, IReadOnlyDictionary<string, string>? settings)
    {
        var hostDll = LocateHostAssembly();
        var info = new ProcessStartInfo("dotnet", [hostDll, "--urls", $"http://127.0.0.1:{chosen}"])
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Database__Provider"] = "PostgreSql";
        info.Environment["ConnectionStrings__Feedback"] = connectionString;
        info.Environment["Security__ApiKey"] = TestHost.ApiKey;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Workflows__ShippedFolder"] = "";
        info.Environment["Directory__SeedFile"] = "";
        // Tests post far faster than any customer, all from loopback.
        info.Environment["Feedback__Intake__RateLimit"] = "0";
        // Generated files go to a folder of this process's own (not the build output's data/, which every host process
        // would share); the customer key is fixed as in TestHost, so that a restarted host still recognises a customer.
        info.Environment["Privacy__CustomerKeySecret"] = "test-customer-key-secret";
        string? ownDataFolder = null;
        if (settings?.ContainsKey("DataFolder") != true)
            info.Environment["DataFolder"] = ownDataFolder = Path.Combine(Path.GetTempPath(), "feedback-test-" + Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the host process.");
        var host = new HostProcess(process, chosen, ownDataFolder);
        process.OutputDataReceived += (_, e) => { lock (host._output) host._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (host._output) host._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                // Read before disposing: a start retried on another port leaves nothing of this one behind.
                var failure = new InvalidOperationException($"The host exited with {process.ExitCode}:\n{host.Output}");
                await host.DisposeAsync();
                throw failure;
            }
            try
            {
                if ((await host.Client.GetAsync("/health")).IsSuccessStatusCode) return host;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            await Task.Delay(200);
        }
        await host.DisposeAsync();
        throw new TimeoutException($"The host did not answer within 60 s:\n{host.Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a crash looks like.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownDataFolder is not null && Directory.Exists(_ownDataFolder)) Directory.Delete(_ownDataFolder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateHostAssembly()
    {
        // The test binaries sit in tests/<project>/bin/<Configuration>/<tfm>/; the host's in src/Feedback.Host/bin/<same>.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var tfm = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Feedback.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("Could not find the repository root (Feedback.sln) above " + AppContext.BaseDirectory);
        var dll = Path.Combine(root.FullName, "src", "Feedback.Host", "bin", configuration, tfm, "Feedback.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first; the host assembly is missing.", dll);
    }
}
