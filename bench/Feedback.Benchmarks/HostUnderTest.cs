using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Feedback.Benchmarks;

/// <summary>
/// The real host (<c>Feedback.Host.dll</c>, same build configuration as this runner) as a child process on PostgreSQL,
/// with the shipped definitions and the example organisation, serving HTTP on a loopback port.
/// </summary>
/// <remarks>
/// A separate process rather than an in-process factory: the host keeps its own garbage collector, thread pool and
/// Kestrel sockets, as in production, and its CPU time can be told apart from the load generator's.
/// </remarks>
internal sealed class HostUnderTest : IAsyncDisposable
{
    public const string ApiKey = "bench-api-key";

    private readonly StringBuilder _output = new();
    private readonly string _dataFolder;

    private HostUnderTest(Process process, int port, string dataFolder)
    {
        Process = process;
        _dataFolder = dataFolder;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = 512 };
        Public = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Staff = new HttpClient(handler, disposeHandler: false) { BaseAddress = Public.BaseAddress, Timeout = Public.Timeout };
        Staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", ApiKey);
    }

    public Process Process { get; }

    /// <summary>Without credentials, as customers call the intake endpoint.</summary>
    public HttpClient Public { get; }

    /// <summary>With the API key, as staff front ends call the task API.</summary>
    public HttpClient Staff { get; }

    /// <summary>What the host printed (warnings and errors only).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts the host and waits until it accepts feedback (definitions published, directory loaded).</summary>
    /// <param name="port">The loopback port to serve on (a free one when null), e.g. to restart a killed host where clients expect it.</param>
    /// <param name="environment">Extra settings (environment variables), e.g. an SMTP server.</param>
    /// <param name="readyWithin">How long start-up may take (default a minute; a busy machine may need more).</param>
    /// <exception cref="BenchmarkException">The host is not built, exits, or is not ready in time.</exception>
    public static async Task<HostUnderTest> StartAsync(string connectionString, int? port = null, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? readyWithin = null)
    {
        var (configuration, framework) = Repository.Build;
        var hostFolder = Path.Combine(Repository.Root, "src", "Feedback.Host", "bin", configuration, framework);
        var hostDll = Path.Combine(hostFolder, "Feedback.Host.dll");
        if (!File.Exists(hostDll)) throw new BenchmarkException($"{hostDll} is missing; build the solution in {configuration} first.");
        port ??= FreePort();
        // Mail to customers is kept as files when no SMTP server is set; keep them out of the source tree.
        var dataFolder = Directory.CreateTempSubdirectory("feedback-bench-host-").FullName;

        var info = new ProcessStartInfo("dotnet", [hostDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = hostFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Database__Provider"] = "PostgreSql";
        info.Environment["ConnectionStrings__Feedback"] = connectionString;
        info.Environment["Security__ApiKey"] = ApiKey;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Workflows__ShippedFolder"] = Path.Combine(hostFolder, "workflows");
        info.Environment["Directory__SeedFile"] = Path.Combine(hostFolder, "workflows", "directory", "example-organization.json");
        info.Environment["DataFolder"] = dataFolder;
        // The load generators post hundreds of submissions a second from loopback: the per-address intake limit is off.
        info.Environment["Feedback__Intake__RateLimit"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var process = Process.Start(info) ?? throw new BenchmarkException("could not start the host process");
        var host = new HostUnderTest(process, port.Value, dataFolder);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await host.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (Process.HasExited) throw new BenchmarkException($"the host exited with {Process.ExitCode}:\n{Output}");
            try
            {
                // Start-up publishes the shipped process; until then intake answers that it is not published.
                if ((await Staff.GetAsync("/health")).IsSuccessStatusCode
                    && (await Staff.GetAsync("/elsa/api/workflow-definitions/by-definition-id/general-feedback?versionOptions=Published")).IsSuccessStatusCode)
                    return;
            }
            // Not listening yet, or too busy starting to answer within the client's time-out.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new BenchmarkException($"the host was not ready within {timeout.TotalSeconds:0} s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            // Only the start of a flood of errors is useful, and the rest would grow without bound.
            if (_output.Length < 64 * 1024) _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Staff.Dispose();
        Public.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
        try { Directory.Delete(_dataFolder, recursive: true); }
        catch (IOException) { /* a late mail file; the folder is in the temp directory anyway */ }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
