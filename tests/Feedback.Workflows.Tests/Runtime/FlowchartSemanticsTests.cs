using System.Text.Json.Nodes;
using Feedback.Workflows.Activities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Workflows.Tests.Runtime;

public sealed class FlowchartSemanticsTests
{
    private readonly InMemoryRunner _runner = new(typeof(FlakyActivity), typeof(WaiterActivity));

    private static JsonObject Wait(string eventName) => Inputs(("eventName", Lit(eventName)));
    private static JsonObject Write(string text) => Inputs(("text", Lit(text)));

    [Fact]
    public async Task A_chain_runs_in_order_and_finishes()
    {
        var flow = new FlowBuilder().Activity("start", "Elsa.Start").Activity("w1", "Elsa.WriteLine", Write("a")).Activity("end", "Elsa.End")
            .Chain("start", "w1", "end").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Should().Equal("start", "w1", "end");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
        run.State.Bookmarks.Should().BeEmpty();
    }

    [Theory]
    [InlineData("true", "yes")]
    [InlineData("false", "no")]
    public async Task A_decision_takes_one_branch_and_the_merge_after_it_runs_once(string condition, string expected)
    {
        var flow = new FlowBuilder()
            .Activity("start", "Elsa.Start")
            .Activity("d", "Elsa.FlowDecision", Inputs(("condition", Js(condition))))
            .Activity("yes", "Elsa.WriteLine", Write("yes")).Activity("no", "Elsa.WriteLine", Write("no"))
            .Activity("merge", "Elsa.WriteLine", Write("merge"))
            .Connect("start", "d").Connect("d", "yes", "True").Connect("d", "no", "False")
            .Connect("yes", "merge").Connect("no", "merge").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Should().Equal("start", "d", expected, "merge");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task An_implicit_join_waits_for_every_forked_branch()
    {
        var flow = new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("a", "Elsa.Event", Wait("a-done")).Activity("b", "Elsa.WriteLine", Write("b"))
            .Activity("c", "Elsa.WriteLine", Write("c"))
            .Connect("fork", "a", "A").Connect("fork", "b", "B").Connect("a", "c").Connect("b", "c").Build();

        var run = await _runner.StartAsync(flow);
        run.Completed.Should().Equal("fork", "b");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Suspended);

        await _runner.ResumeAsync(run, run.BookmarkOf("a"));

        run.Completed.Should().Equal("fork", "b", "a", "c");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task A_wait_all_join_is_skipped_when_a_branch_was_not_taken_and_the_skip_flows_on()
    {
        var flow = new FlowBuilder()
            .Activity("d", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("x", "Elsa.WriteLine", Write("x")).Activity("y", "Elsa.WriteLine", Write("y"))
            .Activity("join", "Elsa.FlowJoin", Inputs(("mode", Lit("WaitAll"))))
            .Activity("after", "Elsa.WriteLine", Write("after"))
            .Connect("d", "x", "True").Connect("d", "y", "False").Connect("x", "join").Connect("y", "join").Connect("join", "after").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Should().Equal("d", "x");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task A_wait_any_join_continues_on_the_first_branch_and_cancels_the_other()
    {
        var flow = new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("a", "Elsa.Event", Wait("approved")).Activity("b", "Elsa.Delay", Inputs(("timeSpan", Lit("2.00:00:00"))))
            .Activity("join", "Elsa.FlowJoin", Inputs(("mode", Lit("WaitAny"))))
            .Activity("after", "Elsa.WriteLine", Write("after"))
            .Connect("fork", "a", "A").Connect("fork", "b", "B").Connect("a", "join").Connect("b", "join").Connect("join", "after").Build();

        var run = await _runner.StartAsync(flow);
        run.State.Bookmarks.Select(b => b.ActivityId).Should().BeEquivalentTo(["a", "b"]);
        var timer = run.BookmarkOf("b");
        timer.ResumeAt.Should().Be(_runner.Clock.UtcNow.AddDays(2));

        await _runner.ResumeAsync(run, run.BookmarkOf("a"));

        run.Completed.Should().Equal("fork", "a", "join", "after");
        run.Events("Cancelled").Should().Equal("b");
        run.Bursts[^1].RemovedBookmarks.Should().Contain(b => b.Id == timer.Id, "the cancelled timer must be unscheduled");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task A_loop_repeats_until_its_condition_fails()
    {
        var flow = new FlowBuilder().Variable("Count", "Int32", "0")
            .Activity("start", "Elsa.Start")
            .Activity("check", "Elsa.FlowDecision", Inputs(("condition", Js("getVariable('Count') < 3"))))
            .Activity("inc", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "count-id", ["name"] = "Count" }), ("value", Js("getVariable('Count') + 1"))))
            .Activity("end", "Elsa.End")
            .Connect("start", "check").Connect("check", "inc", "True").Connect("inc", "check").Connect("check", "end", "False").Build();

        var run = await _runner.StartAsync(flow);

        run.Variable("Count")!.GetValue<int>().Should().Be(3);
        run.Completed.Count(id => id == "inc").Should().Be(3);
        run.Completed.Last().Should().Be("end");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task A_join_after_a_loop_waits_until_the_loop_exits()
    {
        // Fork: branch A loops twice, branch B is immediate; "c" joins both and must run once, after the loop.
        var flow = new FlowBuilder().Variable("Count", "Int32", "0")
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("check", "Elsa.FlowDecision", Inputs(("condition", Js("getVariable('Count') < 2"))))
            .Activity("inc", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "count-id" }), ("value", Js("getVariable('Count') + 1"))))
            .Activity("b", "Elsa.WriteLine", Write("b"))
            .Activity("c", "Elsa.WriteLine", Write("c"))
            .Connect("fork", "check", "A").Connect("check", "inc", "True").Connect("inc", "check").Connect("check", "c", "False")
            .Connect("fork", "b", "B").Connect("b", "c").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Count(id => id == "c").Should().Be(1);
        run.Completed.IndexOf("c").Should().BeGreaterThan(run.Completed.LastIndexOf("inc"));
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task A_rejection_loop_does_not_leak_a_skip_past_its_exit_into_a_join()
    {
        // assign -> plan -> rectify -> head (rejects once) -> desk -> reply; "unassigned" also leads to reply.
        var flow = new FlowBuilder().Variable("Round", "Int32", "0")
            .Activity("assign", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("plan", "Elsa.WriteLine", Write("plan"))
            .Activity("rectify", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "round-id" }), ("value", Js("getVariable('Round') + 1"))))
            .Activity("head", "Elsa.FlowDecision", Inputs(("condition", Js("getVariable('Round') >= 2"))))
            .Activity("desk", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("unassigned", "Elsa.WriteLine", Write("nobody"))
            .Activity("reply", "Elsa.WriteLine", Write("reply"))
            .Activity("end", "Elsa.End")
            .Connect("assign", "plan", "True").Connect("assign", "unassigned", "False")
            .Connect("plan", "rectify").Connect("rectify", "head")
            .Connect("head", "desk", "True").Connect("head", "rectify", "False")
            .Connect("desk", "reply", "True").Connect("desk", "rectify", "False")
            .Connect("unassigned", "reply").Connect("reply", "end").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Count(id => id == "rectify").Should().Be(2);
        run.Completed.Count(id => id == "reply").Should().Be(1);
        run.Completed.Last().Should().Be("end");
    }

    [Fact]
    public async Task A_loop_exit_taken_after_a_skip_inside_the_loop_still_reaches_its_join()
    {
        // assign -> plan -> confirm; confirm False -> reached, whose True edge (listed first) skips verify. That skip
        // ends the loop while reached is still propagating; reached's False edge to reply must still count as taken,
        // and reply must not be skipped first on the strength of "unassigned", decided before the loop.
        var flow = new FlowBuilder()
            .Activity("assign", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("unassigned", "Elsa.WriteLine", Write("nobody"))
            .Activity("plan", "Elsa.WriteLine", Write("plan"))
            .Activity("confirm", "Elsa.FlowDecision", Inputs(("condition", Js("false"))))
            .Activity("reached", "Elsa.FlowDecision", Inputs(("condition", Js("false"))))
            .Activity("verify", "Elsa.FlowDecision", Inputs(("condition", Js("true"))))
            .Activity("reply", "Elsa.WriteLine", Write("reply"))
            .Activity("end", "Elsa.End")
            .Connect("assign", "plan", "True").Connect("assign", "unassigned", "False").Connect("unassigned", "reply")
            .Connect("plan", "confirm").Connect("confirm", "verify", "True").Connect("confirm", "reached", "False")
            .Connect("reached", "verify", "True").Connect("reached", "reply", "False")
            .Connect("verify", "reply", "True").Connect("verify", "plan", "False")
            .Connect("reply", "end").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Should().Equal("assign", "plan", "confirm", "reached", "reply", "end");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Theory]
    [InlineData("b")]
    [InlineData("a")]
    public async Task A_join_after_a_loop_runs_when_the_loop_exits_from_any_of_its_activities(string exitFrom)
    {
        // Fork: P loops a -> b -> c -> a twice and leaves from `exitFrom`; Q is immediate; j joins both.
        var exitCondition = Js("getVariable('Count') >= 2");
        var flow = new FlowBuilder().Variable("Count", "Int32", "0")
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"P\",\"Q\"]"))))
            .Activity("a", "Elsa.FlowDecision", Inputs(("condition", exitFrom == "a" ? exitCondition : Js("false"))))
            .Activity("b", "Elsa.FlowDecision", Inputs(("condition", exitFrom == "b" ? exitCondition : Js("false"))))
            .Activity("c", "Elsa.SetVariable", Inputs(("variable", new JsonObject { ["id"] = "count-id" }), ("value", Js("getVariable('Count') + 1"))))
            .Activity("y", "Elsa.WriteLine", Write("y"))
            .Activity("j", "Elsa.WriteLine", Write("joined"))
            .Connect("fork", "a", "P").Connect("fork", "y", "Q")
            .Connect("a", "b", "False").Connect("a", "j", "True")
            .Connect("b", "c", "False").Connect("b", "j", "True")
            .Connect("c", "a").Connect("y", "j").Build();

        var run = await _runner.StartAsync(flow);

        run.Completed.Count(id => id == "c").Should().Be(2);
        run.Completed.Count(id => id == "j").Should().Be(1, string.Join(",", run.Completed));
    }

    [Theory]
    [InlineData("MatchFirst", new[] { "low" })]
    [InlineData("MatchAny", new[] { "low", "any" })]
    public async Task A_switch_takes_the_matching_cases(string mode, string[] expected)
    {
        var cases = new JsonArray(
            new JsonObject { ["label"] = "low", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "getInput('score') < 3" } },
            new JsonObject { ["label"] = "any", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "true" } },
            new JsonObject { ["label"] = "never", ["condition"] = new JsonObject { ["type"] = "Literal", ["value"] = "false" } });
        var flow = new FlowBuilder()
            .Activity("sw", "Elsa.FlowSwitch", Inputs(("cases", cases), ("mode", Lit(mode))))
            .Activity("low", "Elsa.WriteLine", Write("low")).Activity("any", "Elsa.WriteLine", Write("any")).Activity("never", "Elsa.WriteLine", Write("never"))
            .Activity("default", "Elsa.WriteLine", Write("default"))
            .Connect("sw", "low", "low").Connect("sw", "any", "any").Connect("sw", "never", "never").Connect("sw", "default", "Default").Build();

        var run = await _runner.StartAsync(flow, new JsonObject { ["score"] = 1 });

        run.Completed.Skip(1).Should().BeEquivalentTo(expected);
    }

    [Fact]
    public async Task A_switch_with_no_match_takes_default()
    {
        var cases = new JsonArray(new JsonObject { ["label"] = "low", ["condition"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "false" } });
        var flow = new FlowBuilder()
            .Activity("sw", "Elsa.FlowSwitch", Inputs(("cases", cases)))
            .Activity("low", "Elsa.WriteLine", Write("low")).Activity("default", "Elsa.WriteLine", Write("default"))
            .Connect("sw", "low", "low").Connect("sw", "default", "Default").Build();

        (await _runner.StartAsync(flow)).Completed.Should().Equal("sw", "default");
    }

    [Fact]
    public async Task End_cancels_branches_still_waiting()
    {
        var flow = new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("a", "Elsa.Event", Wait("never")).Activity("end", "Elsa.End")
            .Connect("fork", "a", "A").Connect("fork", "end", "B").Build();

        var run = await _runner.StartAsync(flow);

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
        run.State.Bookmarks.Should().BeEmpty();
        run.Bursts[0].AddedBookmarks.Should().BeEmpty("a bookmark created and cancelled in one burst is never stored");
    }

    [Fact]
    public async Task Cancelling_an_instance_lets_each_waiting_activity_clean_up_and_removes_its_bookmarks()
    {
        WaiterActivity.Cancellations = 0;
        var flow = new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("a", "Test.Waiter").Activity("b", "Test.Waiter")
            .Connect("fork", "a", "A").Connect("fork", "b", "B").Build();
        var run = await _runner.StartAsync(flow);
        var bookmarks = run.State.Bookmarks.Select(b => b.Id).ToList();

        await _runner.CancelAsync(run);

        WaiterActivity.Cancellations.Should().Be(2);
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Cancelled);
        run.Bursts[^1].RemovedBookmarks.Select(b => b.Id).Should().BeEquivalentTo(bookmarks);
    }

    [Fact]
    public async Task A_failing_expression_faults_the_instance_with_a_message_naming_activity_input_and_cause()
    {
        var flow = new FlowBuilder().Activity("start", "Elsa.Start")
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Js("undefinedThing.property"))))
            .Chain("start", "w").Build();

        var run = await _runner.StartAsync(flow);

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);
        run.State.Status.Should().Be(WorkflowStatus.Finished);
        var incident = run.State.Incidents.Should().ContainSingle().Subject;
        incident.ActivityId.Should().Be("w");
        incident.Message.Should().Contain("'w'").And.Contain("Text").And.Contain("JavaScript").And.Contain("undefinedThing");
    }

    [Fact]
    public async Task A_script_that_loops_forever_is_stopped_and_faults_its_activity()
    {
        var flow = new FlowBuilder().Activity("w", "Elsa.WriteLine", Inputs(("text", Js("while (true) {}")))).Build();

        var run = await _runner.StartAsync(flow);

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);
        run.State.Incidents.Single().Message.Should().Contain("'w'").And.Contain("time");
    }

    [Fact]
    public async Task With_continue_with_incidents_other_branches_go_on_and_retry_runs_the_faulted_activity_again()
    {
        FlakyActivity.Failures = 1;
        var flow = new FlowBuilder().ContinueWithIncidents()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("flaky", "Test.Flaky").Activity("b", "Elsa.WriteLine", Write("b"))
            .Connect("fork", "flaky", "A").Connect("fork", "b", "B").Build();

        var run = await _runner.StartAsync(flow);
        run.Completed.Should().Equal("fork", "b");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Suspended);
        run.State.Incidents.Should().ContainSingle().Which.Message.Should().Contain("flaky failure");

        await _runner.RetryAsync(run);

        run.Completed.Should().Equal("fork", "b", "flaky");
        run.State.Incidents.Should().BeEmpty();
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task With_the_fault_strategy_retry_runs_the_faulted_activity_and_the_sibling_queued_behind_it()
    {
        FlakyActivity.Failures = 1;
        var flow = new FlowBuilder()
            .Activity("fork", "Elsa.FlowFork", Inputs(("branches", In("Object", "[\"A\",\"B\"]"))))
            .Activity("flaky", "Test.Flaky").Activity("b", "Elsa.WriteLine", Write("b"))
            .Connect("fork", "flaky", "A").Connect("fork", "b", "B").Build();

        var run = await _runner.StartAsync(flow);
        run.Completed.Should().Equal("fork");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);

        await _runner.RetryAsync(run);

        run.Completed.Should().Equal("fork", "flaky", "b");
        run.State.Incidents.Should().BeEmpty();
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task With_the_fault_strategy_retry_runs_the_second_target_of_a_port_whose_first_target_faulted()
    {
        FlakyActivity.Failures = 1;
        var flow = new FlowBuilder().Activity("start", "Elsa.Start")
            .Activity("flaky", "Test.Flaky").Activity("b", "Elsa.WriteLine", Write("b"))
            .Connect("start", "flaky").Connect("start", "b").Build();

        var run = await _runner.StartAsync(flow);
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Faulted);

        await _runner.RetryAsync(run);

        run.Completed.Should().Equal("start", "flaky", "b");
        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
    }

    [Fact]
    public async Task An_event_trigger_completes_at_once_and_passes_its_payload_on()
    {
        var flow = new FlowBuilder().Variable("Received")
            .Activity("ev", "Elsa.Event", Inputs(("eventName", Lit("FeedbackReceived")), ("result", new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "received-id" } })), canStart: true)
            .Activity("w", "Elsa.WriteLine", Inputs(("text", Js("getVariable('Received').caseNumber"))))
            .Chain("ev", "w").Build();

        var run = await _runner.StartAsync(flow, new JsonObject { [Activities.Events.Event.PayloadKey] = new JsonObject { ["caseNumber"] = "FB-1" } }, triggerActivityId: "ev");

        run.State.SubStatus.Should().Be(WorkflowSubStatus.Finished);
        run.Variable("Received")!["caseNumber"]!.GetValue<string>().Should().Be("FB-1");
    }
}

/// <summary>Waits forever and counts how often it was told to cancel.</summary>
[Activity("Test", "Test", Type = "Waiter")]
public sealed class WaiterActivity : Activity
{
    public static int Cancellations;

    protected internal override ValueTask ExecuteAsync(ActivityExecutionContext context)
    {
        context.CreateBookmark(new BookmarkRequest("Test.Wait"));
        return ValueTask.CompletedTask;
    }

    protected internal override ValueTask CancelAsync(ActivityExecutionContext context)
    {
        Interlocked.Increment(ref Cancellations);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Fails as many times as <see cref="Failures"/> says, then completes.</summary>
[Activity("Test", "Test", Type = "Flaky")]
public sealed class FlakyActivity : CodeActivity
{
    public static int Failures;

    protected override void Execute(ActivityExecutionContext context)
    {
        if (Failures-- > 0) throw new InvalidOperationException("flaky failure");
    }
}
