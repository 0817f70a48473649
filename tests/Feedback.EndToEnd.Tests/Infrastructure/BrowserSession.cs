using Microsoft.Playwright;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One headless Chromium page with everything that went wrong recorded: responses of 400 and above, console errors,
/// uncaught page errors and failed requests. Known browser noise is filtered by exact shape, nothing else.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private static readonly string[] FontHosts = ["fonts.googleapis.com", "fonts.gstatic.com"];
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _screenshots;
    private readonly List<string> _problems = [];
    private readonly HashSet<IRequest> _answered = [];
    private int _step;
    private int _requests;
    private int _apiRequests;

    private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page, string screenshots)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _screenshots = screenshots;
        page.Request += (_, request) =>
        {
            Interlocked.Increment(ref _requests);
            if (request.Url.Contains("/elsa/api/", StringComparison.Ordinal)) Interlocked.Increment(ref _apiRequests);
        };
        page.Response += (_, response) =>
        {
            lock (_problems)
            {
                _answered.Add(response.Request);
                if (response.Status >= 400) _problems.Add($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Type != "error" || IsFontNoise(message.Location)) return;
            lock (_problems) _problems.Add($"console error: {message.Text} (at {message.Location})");
        };
        page.PageError += (_, error) => { lock (_problems) _problems.Add($"page error: {error}"); };
        page.RequestFailed += (_, request) =>
        {
            lock (_problems)
            {
                // The WASM HttpClient aborts a response stream after reading it; that is not a failure.
                if (request.Failure == "net::ERR_ABORTED" && _answered.Contains(request)) return;
                if (request.Failure?.StartsWith("net::ERR_NAME_NOT_RESOLVED", StringComparison.Ordinal) == true && IsFontNoise(request.Url)) return;
                _problems.Add($"request failed: {request.Method} {request.Url} {request.Failure}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>A one-line account of the run for the test log: requests made, and how many reached the API.</summary>
    public string Summary => $"{_requests} requests ({_apiRequests} to /elsa/api), {Problems.Count} unexpected problems, {_step} screenshots in {_screenshots}";

    /// <summary>Everything recorded so far that is not accounted for.</summary>
    public IReadOnlyList<string> Problems
    {
        get { lock (_problems) return _problems.ToList(); }
    }

    /// <param name="testName">Names the screenshot folder.</param>
    /// <param name="viewport">The window size; 1600×1000 unless a test needs more room (a wide flow on screen at once).</param>
    public static async Task<BrowserSession> StartAsync(string testName, ViewportSize? viewport = null)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Args = Chromium.Arguments,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1600, Height = 1000 } });
        // Bounded but generous: the Studio boots its .NET runtime in the page, which takes several seconds on two cores.
        page.SetDefaultTimeout(60_000);
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots", testName);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return new BrowserSession(playwright, browser, page, folder);
    }

    /// <summary>Saves a numbered screenshot of the current page as a test artifact.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var file = Path.Combine(_screenshots, $"{++_step:00}-{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file });
    }

    /// <summary>Removes the recorded problems the test provoked on purpose; fails when one of them did not happen.</summary>
    public void Consume(params Func<string, bool>[] expected)
    {
        lock (_problems)
        {
            foreach (var match in expected)
            {
                var index = _problems.FindIndex(p => match(p));
                index.Should().BeGreaterThanOrEqualTo(0, $"the provoked problem should have been recorded; recorded: {string.Join(" | ", _problems)}");
                _problems.RemoveAt(index);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static bool IsFontNoise(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && FontHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Feedback.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Feedback.sln above {AppContext.BaseDirectory}; cannot place the screenshots.");
    }
}
