using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Tests.Verification;
using Feedback.Workflows.Tests.Infrastructure;
using MimeKit;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Reports;

/// <summary>
/// The shipped monthly-report process on PostgreSQL with the example organisation and real mail: on the first of the
/// month its Cron trigger mails last month's figures to every department head (their department's) and to management
/// (all of them and the total). The host's time starts at 16:00 in China on the last day of March.
/// </summary>
public sealed class MonthlyReportTests() : RectificationProcessHarness("general-feedback", new DateTimeOffset(2027, 3, 31, 8, 0, 0, TimeSpan.Zero))
{
    private static bool IsReport(MimeMessage message) => message.Headers["X-Feedback-Message"] == "MonthlyReport";

    private Task SubmitAsync(string content) => SubmitAsync(new JsonObject
    {
        ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = "wang@example.cn", ["language"] = "zh-CN", ["content"] = content,
    });

    [Fact]
    public async Task On_the_first_of_the_month_each_head_gets_their_departments_figures_and_management_gets_all_of_them()
    {
        await SubmitAsync("红烧猪肉罐头胀罐了，打开有酸臭味，要求退货。");
        await SubmitAsync("快递晚了四天才到，箱子被压坏了。");

        await Time.AdvanceToAsync(new DateTimeOffset(2027, 4, 1, 0, 1, 0, TimeSpan.Zero));

        // Management (who heads the management department too) gets one whole report; every other head one of their own.
        var mails = await Smtp.WaitForAsync(8, TimeSpan.FromSeconds(30), IsReport);
        mails.Should().HaveCount(8);
        mails.Select(m => m.To.Mailboxes.Single().Address).Should().OnlyHaveUniqueItems();
        var whole = mails.Should().ContainSingle(m => m.To.Mailboxes.Single().Address == "ma.jun@example.com").Subject;
        whole.Subject.Should().Be("客户反馈月报 2027-03");
        whole.TextBody.Should().Contain("合计\n  案件数：2").And.Contain("Quality assurance\n  案件数：1").And.Contain("Logistics\n  案件数：1");
        var quality = mails.Single(m => m.To.Mailboxes.Single().Address == "chen.jie@example.com");
        quality.Subject.Should().Be("客户反馈月报 2027-03：Quality assurance");
        quality.TextBody.Should().Contain("案件数：1").And.NotContain("Logistics").And.NotContain("合计");
        mails.Single(m => m.To.Mailboxes.Single().Address == "wu.lei@example.com").TextBody.Should().Contain("Production\n  案件数：0",
            "a department without cases hears so too");

        // The next month's report is not due yet, and this one went once.
        await Time.AdvanceToAsync(new DateTimeOffset(2027, 4, 20, 0, 0, 0, TimeSpan.Zero));
        Smtp.Messages(IsReport).Should().HaveCount(8);
    }

    [Theory]
    [InlineData("period", "2027-13", "Input 'Period'")]
    [InlineData("toRoles", "Management, Boss", "'Boss' is not a role")]
    public async Task A_bad_period_or_role_faults_the_step_with_a_message_that_names_the_input(string input, string value, string expected)
    {
        var flow = new FlowBuilder().Activity("send", "Feedback.SendMonthlyReport", Inputs((input, Lit(value)))).Build("report-check", "Report check");
        var id = await Api.PublishAsync(flow);
        var started = await Api.PostAsync($"/elsa/api/workflow-definitions/{id}/execute", null);
        started.StatusCode.Should().Be(HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
        var instance = await Api.InstanceAsync(started.Headers.GetValues("x-elsa-workflow-instance-id").Single());

        ((string?)instance["subStatus"]).Should().Be("Faulted");
        ((string?)instance["workflowState"]!["incidents"]![0]!["message"]).Should().Contain(expected);
        Smtp.Messages(IsReport).Should().BeEmpty();
    }
}
