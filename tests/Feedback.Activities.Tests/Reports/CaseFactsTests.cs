using Feedback.Activities.Cases;
using Feedback.Activities.Reports;

namespace Feedback.Activities.Tests.Reports;

public sealed class CaseFactsTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 1, 8, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Customer_keys_match_the_same_contact_written_differently_and_depend_on_the_secret()
    {
        CaseFacts.CustomerKey("s", " Wang@Example.CN ", null).Should().Be(CaseFacts.CustomerKey("s", "wang@example.cn", "+86 1"));
        CaseFacts.CustomerKey("s", null, "+86 138-0000-0001").Should().Be(CaseFacts.CustomerKey("s", null, "13800000001"));
        CaseFacts.CustomerKey("other", "wang@example.cn", null).Should().NotBe(CaseFacts.CustomerKey("s", "wang@example.cn", null));
        CaseFacts.CustomerKey("s", "wang@example.cn", null).Should().NotContain("wang").And.HaveLength(64);
        CaseFacts.CustomerKey("s", null, null).Should().BeNull();
    }

    [Fact]
    public void Registration_fills_the_keys_and_stores_the_received_time_in_UTC()
    {
        var feedback = NewCase();
        CaseFacts.OnRegistration(feedback, "s");

        feedback.ReceivedAt.Offset.Should().Be(TimeSpan.Zero);
        feedback.ReceivedAt.Should().Be(Received);
        feedback.ReceivedDay.Should().Be((int)(new DateTime(2026, 3, 1) - DateTime.UnixEpoch).TotalDays - 0, "08:00 +08:00 is midnight UTC on 1 March");
        feedback.ProductKey.Should().Be("luncheon meat 340g");
        feedback.CustomerKey.Should().NotBeNull();
    }

    [Fact]
    public void The_first_completed_task_and_the_first_reply_are_kept_once()
    {
        var feedback = NewCase();
        CaseFacts.OnStep(feedback, ["Assigned", "TaskOpened"], Received.AddHours(1));
        feedback.FirstResponseAt.Should().BeNull();

        CaseFacts.OnStep(feedback, ["TaskCompleted"], Received.AddHours(3));
        CaseFacts.OnStep(feedback, ["TaskCompleted"], Received.AddHours(5));
        (feedback.FirstResponseAt, feedback.FirstResponseSeconds).Should().Be((Received.AddHours(3), 3 * 3600L));

        feedback.Status = CaseStatus.Replied;
        CaseFacts.OnStep(feedback, ["CustomerNotified"], Received.AddDays(2));
        feedback.Status = CaseStatus.Closed;
        CaseFacts.OnStep(feedback, ["CustomerSatisfied"], Received.AddDays(4));
        (feedback.ResolvedAt, feedback.ResolutionSeconds).Should().Be((Received.AddDays(2), 2 * 86400L));
    }

    private static FeedbackCase NewCase() => new()
    {
        Number = "FB-2026-000001", Content = "x", ReceivedAt = Received, CustomerName = "Wang", CustomerEmail = "wang@example.cn",
        Product = new ProductDetails { Name = " Luncheon  Meat", Model = "340G" }, WorkflowInstanceId = "wf", WorkflowDefinitionId = "general-feedback",
    };
}
