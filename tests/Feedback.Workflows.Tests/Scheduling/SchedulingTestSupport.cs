using System.Collections.Concurrent;
using Feedback.Workflows.Scheduling;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using SchedulingOptions = Feedback.Workflows.Scheduling.SchedulingOptions;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>One call a timer made into <see cref="IScheduledWorkHandler"/>.</summary>
public sealed record WorkCall(
    string Kind,
    string Id,
    string? WorkflowInstanceId,
    DateTimeOffset? ScheduledFireTime,
    string Node,
    Guid HandlerInstance,
    DateTimeOffset At);

/// <summary>Records every handler call across all nodes of a test; <see cref="Behavior"/> lets a test make calls fail or block.</summary>
public sealed class WorkRecorder
{
    private readonly ConcurrentQueue<WorkCall> _calls = new();

    /// <summary>Runs inside the handler after the call is recorded; throw to fail the call.</summary>
    public Func<WorkCall, CancellationToken, Task>? Behavior { get; set; }

    public IReadOnlyList<WorkCall> Calls => _calls.ToArray();

    public IReadOnlyList<WorkCall> CallsFor(string id) => _calls.Where(c => c.Id == id).ToArray();

    internal async Task Record(WorkCall call, CancellationToken cancellationToken)
    {
        _calls.Enqueue(call);
        if (Behavior is { } behavior)
            await behavior(call, cancellationToken);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns the calls either way.</summary>
    public async Task<IReadOnlyList<WorkCall>> WaitUntilAsync(Func<IReadOnlyList<WorkCall>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var calls = Calls;
            if (condition(calls) || DateTimeOffset.UtcNow >= deadline)
                return calls;
            await Task.Delay(50);
        }
    }
}

/// <summary>The fake runtime: a scoped handler that records into the test's <see cref="WorkRecorder"/>.</summary>
public sealed class RecordingWorkHandler(WorkRecorder recorder, string node) : IScheduledWorkHandler
{
    private readonly Guid _instance = Guid.NewGuid();

    public Task ResumeBookmarkAsync(string bookmarkId, string workflowInstanceId, CancellationToken cancellationToken) =>
        recorder.Record(new WorkCall("bookmark", bookmarkId, workflowInstanceId, null, node, _instance, DateTimeOffset.UtcNow), cancellationToken);

    public Task StartFromTriggerAsync(string triggerId, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken) =>
        recorder.Record(new WorkCall("trigger", triggerId, null, scheduledFireTime, node, _instance, DateTimeOffset.UtcNow), cancellationToken);
}

/// <summary>A log line a node wrote.</summary>
public sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>Keeps a node's log lines so tests can assert that failures are reported.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
        }
    }
}

/// <summary>
/// One host process of a test: its own service provider and Quartz scheduler, wired by
/// <see cref="SchedulingServiceCollectionExtensions.AddWorkflowScheduling"/> exactly as the runtime wires it.
/// </summary>
public sealed class SchedulerNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly CapturingLoggerProvider _logs;
    private bool _started;
    private bool _stopped;

    private SchedulerNode(string name, SchedulingOptions options, IHost host, CapturingLoggerProvider logs)
    {
        Name = name;
        Options = options;
        _host = host;
        _logs = logs;
    }

    public string Name { get; }

    public SchedulingOptions Options { get; }

    public IWorkflowScheduler Scheduler => _host.Services.GetRequiredService<IWorkflowScheduler>();

    public IReadOnlyList<LogEntry> Logs => _logs.Entries;

    /// <summary>Builds the node; it fires nothing until <see cref="StartAsync"/>.</summary>
    public static SchedulerNode Create(string name, SchedulingOptions options, WorkRecorder recorder)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var logs = new CapturingLoggerProvider();
        builder.Logging.AddProvider(logs);
        builder.Services.AddScoped<IScheduledWorkHandler>(_ => new RecordingWorkHandler(recorder, name));
        builder.Services.AddWorkflowScheduling(options);
        return new SchedulerNode(name, options, builder.Build(), logs);
    }

    public static async Task<SchedulerNode> StartAsync(string name, SchedulingOptions options, WorkRecorder recorder, CancellationToken cancellationToken)
    {
        var node = Create(name, options, recorder);
        await node.StartAsync(cancellationToken);
        return node;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        await _host.StartAsync(cancellationToken);
    }

    /// <summary>The node's Quartz scheduler, for assertions on what is stored.</summary>
    public async Task<IScheduler> QuartzAsync(CancellationToken cancellationToken) =>
        await _host.Services.GetRequiredKeyedService<ISchedulerFactory>(Options.SchedulerName).GetScheduler(cancellationToken);

    /// <summary>Stops the node firing (Quartz stand-by) while a test stores timers that must not fire before it is done.</summary>
    public async Task HoldFiringAsync(CancellationToken cancellationToken)
    {
        var quartz = await QuartzAsync(cancellationToken);
        // The hosted service starts the scheduler only once the host reports it has started, a moment after StartAsync
        // returns; a stand-by set before that start would be undone by it.
        while (await quartz.GetStatus(cancellationToken) == SchedulerStatus.Created)
            await Task.Delay(20, cancellationToken);
        await quartz.Standby(cancellationToken);
    }

    /// <summary>Lets the node fire again after <see cref="HoldFiringAsync"/>; timers that came due meanwhile fire now.</summary>
    public async Task ReleaseFiringAsync(CancellationToken cancellationToken) => await (await QuartzAsync(cancellationToken)).Start(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_started && !_stopped)
        {
            _stopped = true;
            await _host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_host is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else
            _host.Dispose();
    }
}

/// <summary>One PostgreSQL database shared by the tests of a class; each test isolates itself by scheduler name.</summary>
public sealed class SchedulingDatabaseFixture : IAsyncLifetime
{
    private PostgresDatabase? _database;

    public string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("The database is not created yet.");

    public async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}
