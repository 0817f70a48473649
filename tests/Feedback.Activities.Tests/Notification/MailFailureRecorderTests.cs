using Feedback.Activities.Cases;
using Feedback.Activities.Notification;
using Feedback.Activities.Tests.Reports;
using Feedback.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Feedback.Activities.Tests.Notification;

/// <summary>Delivery failures on the case history: append-only lines that outlive retention, so no customer address in them.</summary>
public sealed class MailFailureRecorderTests : IAsyncLifetime
{
    private ReportDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ReportDatabase.CreateAsync(postgres: false);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_failed_mail_to_the_customer_names_their_address_masked_and_a_staff_address_in_full()
    {
        await using (var db = _db.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            db.Cases.Add(new FeedbackCase
            {
                Number = "FB-2026-000001", Content = "胀罐", ReceivedAt = now, Channel = FeedbackChannel.WebForm, CustomerName = "王女士",
                CustomerEmail = "Wang.Li@example.cn", WorkflowInstanceId = "wf-1", WorkflowDefinitionId = "general-feedback", CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        }
        var recorder = new MailFailureRecorder(_db, new SystemClock(), NullLogger<MailFailureRecorder>.Instance);
        await recorder.StartAsync(default);
        try
        {
            recorder.Report(new MailFailure("m1", "FB-2026-000001", "Acknowledgement", "wang.li@example.cn", "550 5.1.1 <wang.li@example.cn>: Recipient address rejected."));
            recorder.Report(new MailFailure("m2", "FB-2026-000001", "StaffTask", "liu.yang@cannery.example", "550 5.1.1 <liu.yang@cannery.example>: mailbox full."));
            var lines = await HistoryAsync(2);
            lines.Should().HaveCount(2);
            lines[0].Should().Be("Acknowledgement mail to w***@example.cn could not be delivered: 550 5.1.1 <w***@example.cn>: Recipient address rejected. It is retried with back-off.");
            lines[1].Should().Contain("StaffTask mail to liu.yang@cannery.example").And.Contain("<liu.yang@cannery.example>: mailbox full.");
        }
        finally { await recorder.StopAsync(default); }
    }

    private async Task<List<string>> HistoryAsync(int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            await using var db = _db.CreateDbContext();
            var lines = db.History.Where(h => h.Action == "MailDeliveryFailed").OrderBy(h => h.Id).Select(h => h.Details!).ToList();
            if (lines.Count >= count || DateTime.UtcNow > until) return lines;
            await Task.Delay(50);
        }
    }
}
