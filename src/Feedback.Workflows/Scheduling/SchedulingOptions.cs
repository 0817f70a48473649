namespace Feedback.Workflows.Scheduling;

/// <summary>
/// Where durable timers are kept and how they fire. Passed to <c>AddWorkflowScheduling</c>; every process sharing one
/// database must use the same <see cref="SchedulerName"/>, <see cref="TablePrefix"/> and retry settings.
/// </summary>
public sealed class SchedulingOptions
{
    /// <summary>
    /// Npgsql connection string of the database the timers are stored in. <see langword="null"/> keeps them in memory:
    /// the embedded single-process default, where timers do not survive a restart and are re-created by the runtime's
    /// start-up repair from the bookmark rows.
    /// </summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// Share the timers with every process using the same database and scheduler name: each timer fires on exactly one
    /// of them, and a node that dies mid-firing has its work re-run elsewhere. Requires <see cref="PostgresConnectionString"/>.
    /// </summary>
    public bool Clustered { get; init; }

    /// <summary>The scheduler's name, which is also the <c>sched_name</c> column the shared tables are partitioned by.</summary>
    public string SchedulerName { get; init; } = "FeedbackScheduler";

    /// <summary>Prefix of the Quartz tables, optionally schema-qualified (<c>quartz.qrtz_</c>).</summary>
    public string TablePrefix { get; init; } = "qrtz_";

    /// <summary>
    /// Create missing Quartz tables at start-up. Needs DDL rights; turn it off where the account may not create tables,
    /// and run Quartz's <c>tables_postgres.sql</c> by hand instead.
    /// </summary>
    public bool ProvisionSchema { get; init; } = true;

    /// <summary>
    /// How long an idle node waits before asking the store for due timers again. A node hears at once of timers it
    /// scheduled itself; timers scheduled by another node (or orphaned by a dead one) are found on this poll, so it
    /// bounds their lateness. Quartz's own default is 30 s.
    /// </summary>
    public TimeSpan IdleWaitTime { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How often a clustered node records that it is alive.</summary>
    public TimeSpan CheckinInterval { get; init; } = TimeSpan.FromSeconds(7.5);

    /// <summary>
    /// How long past a missed check-in the other nodes wait before declaring a node dead and re-running its firings.
    /// Keep it above the worst pause a live node can take (GC, VM migration, database fail-over).
    /// </summary>
    public TimeSpan CheckinMisfireThreshold { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How many timer handlers may run at once in this process.</summary>
    public int MaxConcurrency { get; init; } = 10;

    /// <summary>
    /// How many due timers one acquisition round takes (Quartz 4's <c>MaxBatchSize</c>, 3.x's
    /// <c>batchTriggerAcquisitionMaxCount</c>). Larger batches drain a burst of timers with fewer round trips and lock
    /// acquisitions; it must not exceed <see cref="MaxConcurrency"/>, or this node holds timers it cannot run yet.
    /// </summary>
    public int BatchTriggerAcquisitionMaxCount { get; init; } = 10;

    /// <summary>Wait before the first retry of a timer whose handler threw; later retries back off exponentially.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ceiling of the retry back-off.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Retries of one failed firing before the scheduler gives up on it. Unbounded by default: a one-shot timer that
    /// gave up would leave its bookmark waiting until the next start-up repair.
    /// </summary>
    public int RetryMaxAttempts { get; init; } = int.MaxValue;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    internal void Validate()
    {
        if (Clustered && string.IsNullOrWhiteSpace(PostgresConnectionString))
            throw new ArgumentException("A clustered scheduler needs a PostgresConnectionString: an in-memory store cannot be shared.", nameof(Clustered));
        if (PostgresConnectionString is not null && string.IsNullOrWhiteSpace(PostgresConnectionString))
            throw new ArgumentException("PostgresConnectionString is blank; leave it null for the in-memory store.", nameof(PostgresConnectionString));
        if (string.IsNullOrWhiteSpace(SchedulerName))
            throw new ArgumentException("SchedulerName is required.", nameof(SchedulerName));
        if (string.IsNullOrWhiteSpace(TablePrefix))
            throw new ArgumentException("TablePrefix is required.", nameof(TablePrefix));
        if (IdleWaitTime < TimeSpan.FromMilliseconds(100))
            throw new ArgumentException("IdleWaitTime below 100 ms would poll the database constantly.", nameof(IdleWaitTime));
        if (CheckinInterval <= TimeSpan.Zero)
            throw new ArgumentException("CheckinInterval must be positive.", nameof(CheckinInterval));
        if (CheckinMisfireThreshold <= TimeSpan.Zero)
            throw new ArgumentException("CheckinMisfireThreshold must be positive.", nameof(CheckinMisfireThreshold));
        if (MaxConcurrency < 1)
            throw new ArgumentException("MaxConcurrency must be at least 1.", nameof(MaxConcurrency));
        if (BatchTriggerAcquisitionMaxCount < 1 || BatchTriggerAcquisitionMaxCount > MaxConcurrency)
            throw new ArgumentException("BatchTriggerAcquisitionMaxCount must be between 1 and MaxConcurrency.", nameof(BatchTriggerAcquisitionMaxCount));
        if (RetryInitialDelay <= TimeSpan.Zero)
            throw new ArgumentException("RetryInitialDelay must be positive.", nameof(RetryInitialDelay));
        if (RetryMaxDelay < RetryInitialDelay)
            throw new ArgumentException("RetryMaxDelay must not be shorter than RetryInitialDelay.", nameof(RetryMaxDelay));
        if (RetryMaxAttempts < 1)
            throw new ArgumentException("RetryMaxAttempts must be at least 1.", nameof(RetryMaxAttempts));
    }
}
