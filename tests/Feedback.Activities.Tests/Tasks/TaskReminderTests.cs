using System.Text.Json.Nodes;
using Feedback.Activities.Tests.Verification;
using Feedback.Workflows.Tests.Infrastructure;
using MimeKit;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Tasks;

/// <summary>
/// The shipped task-reminders process on PostgreSQL with the example organisation and real mail: every morning at
/// 09:30 in China it reminds the holder of each overdue task, with a copy to the head of the department, again on
/// each working day while the task stays open. The host's time starts on Monday 1 March 2027, 09:00 in China.
/// </summary>
public sealed class TaskReminderTests() : RectificationProcessHarness("general-feedback")
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private static bool IsReminder(MimeMessage m) => m.Headers["X-Feedback-Message"] == "TaskReminder";
    private static bool IsCopy(MimeMessage m) => m.Headers["X-Feedback-Message"] == "TaskReminderCopy";
    private static string To(MimeMessage m) => m.To.Mailboxes.Single().Address;

    /// <summary>A logistics complaint: assigned to song.yu, the only logistics member, whose head is he.ping.</summary>
    private async Task<(string Number, JsonObject Plan)> LogisticsComplaintAsync()
    {
        var number = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = "wang@example.cn", ["language"] = "zh-CN",
            ["content"] = "快递晚了四天才到，箱子被压坏了。",
        });
        var plan = await OpenTaskAsync(number, "plan");
        ((string?)plan["assignee"]).Should().Be("song.yu");
        return (number, plan);
    }

    private async Task MorningAsync(int year, int month, int day) =>
        await Time.AdvanceToAsync(new DateTimeOffset(year, month, day, 9, 31, 0, China));

    [Fact]
    public async Task An_overdue_task_is_reminded_each_working_morning_with_a_copy_to_the_head_until_it_is_done()
    {
        var (number, plan) = await LogisticsComplaintAsync();
        var due = DateTimeOffset.Parse((string)plan["dueAt"]!);
        due.Should().BeBefore(new DateTimeOffset(2027, 3, 3, 9, 30, 0, China), "the plan is due within 2 working days");
        due.Should().BeAfter(new DateTimeOffset(2027, 3, 2, 9, 30, 0, China));
        var taskMail = (await Smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "StaffTask" && To(m) == "song.yu@example.com")).Single();
        taskMail.TextBody.Should().Contain($"截止时间：{due.ToOffset(China):yyyy-MM-dd HH:mm}（UTC+08:00）", "staff read times on the company's clock too");

        await MorningAsync(2027, 3, 2); // Tuesday: not due yet
        Smtp.Messages(m => IsReminder(m) || IsCopy(m)).Should().BeEmpty();

        await MorningAsync(2027, 3, 3); // Wednesday: overdue
        var first = await Smtp.WaitForAsync(2, TimeSpan.FromSeconds(15), m => IsReminder(m) || IsCopy(m));
        var reminder = first.Should().ContainSingle(m => IsReminder(m)).Subject;
        To(reminder).Should().Be("song.yu@example.com");
        reminder.Subject.Should().Contain("提醒：任务已逾期").And.Contain(number);
        reminder.TextBody.Should().Contain("/l/").And.Contain($"{due.ToOffset(China):yyyy-MM-dd HH:mm} (Asia/Shanghai)").And.Contain("第 1 次提醒");
        var copy = first.Should().ContainSingle(m => IsCopy(m)).Subject;
        To(copy).Should().Be("he.ping@example.com");
        copy.TextBody.Should().Contain("处理人：").And.Contain($"/staff/cases/{number}").And.NotContain("/l/", "the head's copy carries no link to act as the holder");

        var feedback = await CaseAsync(number);
        Actions(feedback).Should().Contain("TaskReminder");

        await MorningAsync(2027, 3, 4); // Thursday: still open, reminded again
        (await Smtp.WaitForAsync(2, TimeSpan.FromSeconds(15), IsReminder)).Last().TextBody.Should().Contain("第 2 次提醒");

        await MorningAsync(2027, 3, 5); // Friday
        await Smtp.WaitForAsync(3, TimeSpan.FromSeconds(15), IsReminder);
        await Time.AdvanceToAsync(new DateTimeOffset(2027, 3, 7, 12, 0, 0, China)); // the weekend waits
        await Task.Delay(1000);
        Smtp.Messages(IsReminder).Should().HaveCount(3, "Saturday and Sunday are not working days of the calendar");

        await MorningAsync(2027, 3, 8); // Monday
        await Smtp.WaitForAsync(4, TimeSpan.FromSeconds(15), IsReminder);
        Smtp.Messages(IsCopy).Should().HaveCount(4);

        await CompleteAsync(plan, "song.yu", "Submit", new JsonObject
        {
            ["Measures"] = "换用加厚纸箱，与快递公司重新约定时效。", ["Deadline"] = "2027-03-12", ["Goal"] = "到货完好、准时。",
        });
        await MorningAsync(2027, 3, 9);
        await Task.Delay(1000);
        Smtp.Messages(IsReminder).Should().HaveCount(4, "a completed task is not reminded, and the rectification is not due yet");

        (await CaseAsync(number))["history"]!.AsArray().Count(h => (string?)h!["action"] == "TaskReminder").Should().Be(4);
    }

    [Fact]
    public async Task A_backlog_larger_than_the_limit_is_worked_through_over_the_runs_never_reminded_first()
    {
        await LogisticsComplaintAsync();
        await LogisticsComplaintAsync();
        // Wednesday 09:00 in China: both plans are overdue, and the shipped 09:30 run has not come yet.
        await Time.AdvanceToAsync(new DateTimeOffset(2027, 3, 3, 9, 0, 0, China));
        // One task per run, and a reminded task may be reminded again a second later: the oldest would win every run.
        var one = new FlowBuilder().Activity("remind", "Feedback.RemindOverdueTasks",
            Inputs(("limit", Lit(1)), ("remindAgainAfter", Lit("00:00:01")), ("copyDepartmentHead", Lit(false)))).Build("remind-one", "Remind one");
        var id = await Api.PublishAsync(one);

        for (var run = 1; run <= 2; run++)
        {
            (await Api.PostAsync($"/elsa/api/workflow-definitions/{id}/execute", null)).EnsureSuccessStatusCode();
            await Time.AdvanceAsync(TimeSpan.FromSeconds(2));
        }

        var reminders = await Smtp.WaitForAsync(2, TimeSpan.FromSeconds(15), IsReminder);
        reminders.Select(m => m.Headers["X-Feedback-Case"]).Should().HaveCount(2).And.OnlyHaveUniqueItems("the second run takes the task never reminded");
    }
}
