using Feedback.Workflows.Runtime;
using Feedback.Workflows.Scheduling;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;
using SchedulingOptions = Feedback.Workflows.Scheduling.SchedulingOptions;

namespace Feedback.Workflows.Tests.Scheduling;

/// <summary>
/// The Quartz scheduler against real PostgreSQL, clustered as production runs it. The tests share one database and keep
/// apart by scheduler name, which is the partition key of every Quartz table.
/// </summary>
public sealed class QuartzWorkflowSchedulerTests(SchedulingDatabaseFixture database) : IClassFixture<SchedulingDatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly WorkRecorder _recorder = new();

    private SchedulingOptions ClusterOptions([System.Runtime.CompilerServices.CallerMemberName] string test = "") => new()
    {
        PostgresConnectionString = database.ConnectionString,
        Clustered = true,
        SchedulerName = $"{test[..Math.Min(test.Length, 40)]}-{Guid.NewGuid():N}",
        RetryInitialDelay = TimeSpan.FromSeconds(1),
        RetryMaxDelay = TimeSpan.FromSeconds(2),
        CheckinInterval = TimeSpan.FromSeconds(1),
        CheckinMisfireThreshold = TimeSpan.FromSeconds(2),
    };

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [Fact]
    public async Task Bookmark_timer_fires_the_handler_once_at_about_the_right_time()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        // Standing by until the timer is seen stored: on a loaded machine the calls can take longer than any fixed lead,
        // and a timer that already fired is no longer listed.
        await node.HoldFiringAsync(ct);
        var resumeAt = DateTimeOffset.UtcNow.AddSeconds(2);

        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", resumeAt, ct);
        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().Contain("bm-1");
        await node.ReleaseFiringAsync(ct);

        // Never early; how late depends on the machine's load, which Patience bounds.
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 1, Patience);
        calls.Should().ContainSingle();
        calls[0].Should().Match<WorkCall>(c => c.Kind == "bookmark" && c.Id == "bm-1" && c.WorkflowInstanceId == "wf-1");
        calls[0].At.Should().BeOnOrAfter(resumeAt.AddMilliseconds(-20));

        await Task.Delay(1500, ct);
        _recorder.Calls.Should().ContainSingle("a one-shot timer fires once");
        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().NotContain("bm-1", "a fired one-shot trigger is removed");
    }

    [Fact]
    public async Task Two_clustered_nodes_fire_each_of_fifty_timers_exactly_once()
    {
        var ct = Bounded();
        var options = ClusterOptions();
        await using var a = await SchedulerNode.StartAsync("a", options, _recorder, ct);
        await using var b = await SchedulerNode.StartAsync("b", options, _recorder, ct);
        // Both nodes stand by while the racing calls below store the timers: a call landing after its timer fired
        // would rightly store a second firing, and on a loaded machine the calls can take longer than any fixed lead.
        await a.HoldFiringAsync(ct);
        await b.HoldFiringAsync(ct);
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var ids = Enumerable.Range(0, 50).Select(i => $"bm-{i}").ToArray();

        // Both nodes schedule every timer at the same time, as both would after a restart, in opposite orders so
        // that they meet on the same keys: the races must leave one trigger per id.
        async Task ScheduleAll(SchedulerNode node, IEnumerable<string> order)
        {
            foreach (var id in order)
                await node.Scheduler.ScheduleBookmarkAsync(id, "wf-" + id, dueAt, ct);
        }
        await Task.WhenAll(Task.Run(() => ScheduleAll(a, ids), ct), Task.Run(() => ScheduleAll(b, ids.Reverse()), ct));
        var listed = await a.Scheduler.GetScheduledBookmarkIdsAsync(ct);
        listed.Should().BeEquivalentTo(ids);
        _recorder.Calls.Should().BeEmpty("nothing fires while both nodes stand by");
        await a.ReleaseFiringAsync(ct);
        await b.ReleaseFiringAsync(ct);

        await _recorder.WaitUntilAsync(c => c.Select(x => x.Id).Distinct().Count() == ids.Length, Patience);
        await Task.Delay(2000, ct); // room for a duplicate to show up

        var calls = _recorder.Calls;
        calls.Select(c => c.Id).Should().BeEquivalentTo(ids, "every timer fires exactly once across the cluster");
        calls.Should().OnlyContain(c => c.At >= dueAt.AddMilliseconds(-20));
        calls.Should().OnlyContain(c => c.WorkflowInstanceId == "wf-" + c.Id);
    }

    [Fact]
    public async Task Twenty_callers_inserting_one_new_key_at_once_store_one_trigger_and_none_fails()
    {
        var ct = Bounded();
        var options = ClusterOptions();
        await using var a = await SchedulerNode.StartAsync("a", options, _recorder, ct);
        await using var b = await SchedulerNode.StartAsync("b", options, _recorder, ct);
        // Standing by while the calls race, for the reason given in the test above.
        await a.HoldFiringAsync(ct);
        await b.HoldFiringAsync(ct);
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(2);

        // New keys go in without Quartz's lock, so these calls race on the primary key: each loser must be told the
        // trigger exists (and keep it), not fail.
        for (var round = 0; round < 5; round++)
        {
            var id = $"race-{round}";
            using var start = new ManualResetEventSlim();
            var calls = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            {
                start.Wait(ct);
                await (i % 2 == 0 ? a : b).Scheduler.ScheduleBookmarkAsync(id, "wf-" + id, dueAt, ct);
            }, ct)).ToList();
            start.Set();
            await Task.WhenAll(calls);
        }

        var listed = await a.Scheduler.GetScheduledBookmarkIdsAsync(ct);
        listed.Should().BeEquivalentTo(Enumerable.Range(0, 5).Select(r => $"race-{r}"));
        await a.ReleaseFiringAsync(ct);
        await b.ReleaseFiringAsync(ct);
        await _recorder.WaitUntilAsync(c => c.Count >= 5, Patience);
        await Task.Delay(1500, ct);
        _recorder.Calls.Select(c => c.Id).Should().OnlyHaveUniqueItems("each raced key fires once").And.HaveCount(5);
    }

    [Fact]
    public async Task Timer_that_came_due_while_no_scheduler_ran_fires_when_one_starts()
    {
        var ct = Bounded();
        var options = ClusterOptions();
        var first = SchedulerNode.Create("first", options, _recorder);
        await first.StartAsync(ct);
        // The node that stores the timers never fires them (the overdue one would fire at once): they wait for the next.
        await first.HoldFiringAsync(ct);
        var soonAt = DateTimeOffset.UtcNow.AddSeconds(2);
        await first.Scheduler.ScheduleBookmarkAsync("soon", "wf-1", soonAt, ct);
        // Overdue by more than Quartz's misfire threshold (60 s): exercises the fire-now misfire instruction.
        await first.Scheduler.ScheduleBookmarkAsync("overdue", "wf-2", DateTimeOffset.UtcNow.AddMinutes(-5), ct);
        await first.DisposeAsync();

        // Until "soon" is well due, with no scheduler running.
        var due = soonAt.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (due > TimeSpan.Zero) await Task.Delay(due, ct);
        _recorder.Calls.Should().BeEmpty("no scheduler is running");

        await using var second = await SchedulerNode.StartAsync("second", options, _recorder, ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 2, Patience);

        calls.Select(c => c.Id).Should().BeEquivalentTo("soon", "overdue");
        calls.Should().OnlyContain(c => c.Node == "second");
    }

    [Fact]
    public async Task Unscheduling_a_batch_removes_the_timers_it_names_and_skips_missing_ones()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        await node.HoldFiringAsync(ct); // a timer firing before the unschedule below would prove nothing
        var at = DateTimeOffset.UtcNow.AddSeconds(1);
        foreach (var id in new[] { "bm-1", "bm-2", "bm-3" }) await node.Scheduler.ScheduleBookmarkAsync(id, "wf-1", at, ct);

        await node.Scheduler.UnscheduleBookmarksAsync(["bm-1", "never-scheduled", "bm-3"], ct);
        await node.Scheduler.UnscheduleBookmarksAsync([], ct);

        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEquivalentTo("bm-2");
        await node.ReleaseFiringAsync(ct);
        await _recorder.WaitUntilAsync(c => c.Count >= 1, Patience);
        await Task.Delay(1000, ct);
        _recorder.Calls.Select(c => c.Id).Should().Equal(["bm-2"], "only the timer left in place fires");
    }

    [Fact]
    public async Task Unscheduled_timers_do_not_fire_and_unscheduling_a_missing_one_is_a_no_op()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        await node.HoldFiringAsync(ct); // a timer firing before the unschedule below would prove nothing
        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(1.5), ct);
        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(Interval: TimeSpan.FromSeconds(1), At: DateTimeOffset.UtcNow.AddSeconds(1.5)), ct);
        (await node.Scheduler.GetScheduledTriggerIdsAsync(ct)).Should().BeEquivalentTo("tr-1");

        await node.Scheduler.UnscheduleBookmarkAsync("bm-1", ct);
        await node.Scheduler.UnscheduleTriggerAsync("tr-1", ct);
        await node.Scheduler.UnscheduleBookmarkAsync("bm-1", ct);
        await node.Scheduler.UnscheduleBookmarkAsync("never-scheduled", ct);
        await node.Scheduler.UnscheduleTriggerAsync("never-scheduled", ct);

        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEmpty();
        (await node.Scheduler.GetScheduledTriggerIdsAsync(ct)).Should().BeEmpty();
        await node.ReleaseFiringAsync(ct);
        await Task.Delay(3000, ct);
        _recorder.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Handler_that_throws_once_is_logged_retried_and_succeeds()
    {
        var ct = Bounded();
        var failures = 0;
        _recorder.Behavior = (_, _) => Interlocked.Increment(ref failures) == 1
            ? throw new InvalidOperationException("database is down")
            : Task.CompletedTask;
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);

        await node.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 2, Patience);

        calls.Should().HaveCount(2).And.OnlyContain(c => c.Id == "bm-1");
        (calls[1].At - calls[0].At).Should().BeGreaterThan(TimeSpan.FromSeconds(0.7), "the retry waits RetryInitialDelay (1 s, jitter 20 %)");
        calls[1].HandlerInstance.Should().NotBe(calls[0].HandlerInstance, "each execution gets its own scope");
        node.Logs.Should().Contain(l => l.Level >= LogLevel.Warning && l.Exception != null
            && l.Exception.Message == "database is down" && l.Message.Contains("bm-1"));

        await Task.Delay(1500, ct);
        _recorder.Calls.Should().HaveCount(2, "a succeeded retry finishes the timer");
        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Interval_trigger_fires_repeatedly_until_unscheduled()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);

        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(Interval: TimeSpan.FromSeconds(1)), ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 3, Patience);

        calls.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(c => c.Kind == "trigger" && c.Id == "tr-1");
        var fireTimes = calls.Take(3).Select(c => c.ScheduledFireTime!.Value).ToArray();
        (fireTimes[1] - fireTimes[0]).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5));
        (fireTimes[2] - fireTimes[1]).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5));

        await node.Scheduler.UnscheduleTriggerAsync("tr-1", ct);
        await Task.Delay(300, ct); // a firing already under way may still land
        var countAfterUnschedule = _recorder.Calls.Count;
        await Task.Delay(2000, ct);
        _recorder.Calls.Should().HaveCount(countAfterUnschedule);
    }

    [Fact]
    public async Task Cron_trigger_fires_on_its_quartz_expression()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);

        await node.Scheduler.ScheduleTriggerAsync("tr-cron", new TriggerSchedule(Cron: "* * * * * ?"), ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 2, Patience);

        calls.Should().HaveCountGreaterThanOrEqualTo(2);
        calls.Should().OnlyContain(c => c.ScheduledFireTime!.Value.Millisecond == 0, "a per-second cron fires on whole seconds");
        await node.Scheduler.UnscheduleTriggerAsync("tr-cron", ct);
    }

    [Fact]
    public async Task At_trigger_fires_once_with_its_scheduled_time()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        var at = DateTimeOffset.UtcNow.AddSeconds(1);

        await node.Scheduler.ScheduleTriggerAsync("tr-at", new TriggerSchedule(At: at), ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 1, Patience);
        await Task.Delay(1500, ct);

        _recorder.Calls.Should().ContainSingle();
        calls[0].ScheduledFireTime.Should().BeCloseTo(at, TimeSpan.FromMilliseconds(1));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(null, 60, "0 * * * * ?")]
    [InlineData(null, 0, null)]
    [InlineData(null, null, "*/5 * * * *")]
    [InlineData(null, null, "0 0 0 1 1 ? 2000")]
    public async Task Unusable_trigger_schedules_are_rejected(int? atSeconds, int? intervalSeconds, string? cron)
    {
        var ct = Bounded();
        await using var node = SchedulerNode.Create("a", ClusterOptions(), _recorder);
        var schedule = new TriggerSchedule(
            atSeconds is { } s ? DateTimeOffset.UtcNow.AddSeconds(s) : null,
            intervalSeconds is { } i ? TimeSpan.FromSeconds(i) : null,
            cron);

        var act = () => node.Scheduler.ScheduleTriggerAsync("tr-bad", schedule, ct);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Scheduling_an_existing_id_again_keeps_it_and_a_changed_schedule_replaces_it()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        var quartz = await node.QuartzAsync(ct);
        var key = new TriggerKey("tr-1", "triggers");

        // Start-now intervals: replacing on every call would move the phase (and fire again) at each restart's repair.
        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(Interval: TimeSpan.FromHours(1)), ct);
        var first = (await quartz.GetTrigger(key, ct))!.StartTimeUtc;
        await Task.Delay(50, ct);
        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(Interval: TimeSpan.FromHours(1)), ct);
        (await quartz.GetTrigger(key, ct))!.StartTimeUtc.Should().Be(first, "an unchanged schedule is kept");

        var later = DateTimeOffset.UtcNow.AddHours(5);
        await node.Scheduler.ScheduleTriggerAsync("tr-1", new TriggerSchedule(At: later, Interval: TimeSpan.FromHours(2)), ct);
        var replaced = (await quartz.GetTrigger(key, ct))!;
        replaced.NextFireTimeUtc.Should().BeCloseTo(later, TimeSpan.FromMilliseconds(1), "a changed schedule replaces the stored one");
        ((ISimpleTrigger)replaced).RepeatInterval.Should().Be(TimeSpan.FromHours(2));
        (await node.Scheduler.GetScheduledTriggerIdsAsync(ct)).Should().BeEquivalentTo("tr-1");

        await node.Scheduler.UnscheduleTriggerAsync("tr-1", ct);
    }

    [Fact]
    public async Task Timer_ninety_days_out_is_stored_with_its_fire_time_and_survives_a_restart()
    {
        var ct = Bounded();
        var options = ClusterOptions();
        var resumeAt = DateTimeOffset.UtcNow.AddDays(90);
        await using (var first = await SchedulerNode.StartAsync("first", options, _recorder, ct))
        {
            await first.Scheduler.ScheduleBookmarkAsync("bm-90d", "wf-1", resumeAt, ct);
        }

        await using var second = await SchedulerNode.StartAsync("second", options, _recorder, ct);
        (await second.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().BeEquivalentTo("bm-90d");
        var trigger = await (await second.QuartzAsync(ct)).GetTrigger(new TriggerKey("bm-90d", "bookmarks"), ct);
        trigger!.NextFireTimeUtc.Should().BeCloseTo(resumeAt, TimeSpan.FromMilliseconds(1));

        // And in the row itself, independent of Quartz's reading of it.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select next_fire_time, trigger_state from qrtz_triggers where sched_name = @s and trigger_name = 'bm-90d' and trigger_group = 'bookmarks'", connection);
        command.Parameters.AddWithValue("s", options.SchedulerName);
        await using var reader = await command.ExecuteReaderAsync(ct);
        (await reader.ReadAsync(ct)).Should().BeTrue();
        var stored = new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero);
        stored.Should().BeCloseTo(resumeAt, TimeSpan.FromMilliseconds(1));
        reader.GetString(1).Should().Be("WAITING");
        _recorder.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Trigger_without_its_job_data_is_reported_and_not_fired_again()
    {
        var ct = Bounded();
        await using var node = await SchedulerNode.StartAsync("a", ClusterOptions(), _recorder, ct);
        var quartz = await node.QuartzAsync(ct);

        // Written by something other than this scheduler: no bookmark id to resume.
        var foreign = TriggerBuilder.Create().WithIdentity("foreign", "bookmarks").ForJob("resume-bookmark", "feedback-workflows").StartNow().Build();
        await quartz.ScheduleTrigger(foreign, TriggerConflict.Throw, ct);
        await Task.Delay(2500, ct); // two retry delays

        _recorder.Calls.Should().BeEmpty();
        node.Logs.Where(l => l.Level == LogLevel.Error && l.Message.Contains("bookmarks.foreign") && l.Category.EndsWith("ResumeBookmarkJob"))
            .Should().ContainSingle("the firing is reported once and not retried");
        (await node.Scheduler.GetScheduledBookmarkIdsAsync(ct)).Should().NotContain("foreign");
    }

    [Fact]
    public async Task Firing_cut_off_by_shutdown_is_handed_back_and_run_by_another_node()
    {
        var ct = Bounded();
        var options = ClusterOptions();
        // The first node's handler runs until it is cancelled, like a resume still writing when the process stops.
        _recorder.Behavior = (call, token) => call.Node == "first" ? Task.Delay(Timeout.Infinite, token) : Task.CompletedTask;
        var first = await SchedulerNode.StartAsync("first", options, _recorder, ct);
        await first.Scheduler.ScheduleBookmarkAsync("bm-1", "wf-1", DateTimeOffset.UtcNow.AddSeconds(0.5), ct);
        (await _recorder.WaitUntilAsync(c => c.Count >= 1, Patience)).Should().ContainSingle(c => c.Node == "first");

        var stopping = Task.Run(() => first.DisposeAsync().AsTask(), ct);
        (await Task.WhenAny(stopping, Task.Delay(5000, ct))).Should().Be(stopping, "shutdown cancels the handler instead of waiting it out");
        await stopping;

        await using var second = await SchedulerNode.StartAsync("second", options, _recorder, ct);
        var calls = await _recorder.WaitUntilAsync(c => c.Count >= 2, Patience);

        calls.Should().HaveCount(2);
        calls[1].Should().Match<WorkCall>(c => c.Node == "second" && c.Id == "bm-1" && c.WorkflowInstanceId == "wf-1");
        await Task.Delay(1000, ct);
        _recorder.Calls.Should().HaveCount(2);
    }
}
