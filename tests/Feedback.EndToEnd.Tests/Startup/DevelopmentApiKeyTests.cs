using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Feedback.EndToEnd.Tests.Startup;

/// <summary>Without Security:ApiKey the host makes a development key and says where it is kept, never the key itself.</summary>
public sealed partial class DevelopmentApiKeyTests
{
    [Fact]
    public async Task The_generated_api_key_is_kept_in_the_data_folder_and_only_its_place_is_logged()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var log = new CapturedLog();
        await using var configured = new StudioTestHost(database.ConnectionString, kestrel: false, new Dictionary<string, string> { ["Security:ApiKey"] = "" });
        await using var host = configured.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(log)));
        _ = host.Services; // starts the host
        // The notice is logged from an ApplicationStarted callback on the host's own thread, and the factory's start
        // may return before that callback has run (it completes on the same event), so the log is awaited, not read at once.
        for (var until = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < until && !log.Lines.Any(l => l.Contains("Development API key"));)
            await Task.Delay(50);

        var notice = log.Lines.Should().ContainSingle(l => l.Contains("Development API key")).Which;
        var keyFile = KeptIn().Match(notice).Groups[1].Value;
        keyFile.Should().EndWith("dev-api-key.txt", notice);
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();
        key.Should().HaveLength(32);
        log.Lines.Should().NotContain(l => l.Contains(key), "the key opens every API");
    }

    [GeneratedRegex(@"kept in (\S+)")]
    private static partial Regex KeptIn();

    /// <summary>Every line the host logs, formatted.</summary>
    private sealed class CapturedLog : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));

        public void Dispose() { }
    }
}
