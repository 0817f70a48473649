using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Intake.Mail;
using Feedback.Activities.Persistence;
using Feedback.Activities.Retention;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Persistence.Entities;
using Feedback.Workflows.Runtime;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Retention;

/// <summary>After retention, no copy of an anonymised case's personal data stays: not in the workflow runtime, the outbox, or a customer's later mail.</summary>
public sealed class WorkflowDataRetentionTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _staff = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _staff = _host.Api();
        var definition = new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("handled")))).Build("general-feedback", "General feedback");
        (await _staff.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Finished_instances_of_anonymised_cases_and_old_delivered_mail_are_deleted_and_nothing_else()
    {
        var anonymised = await SubmitAsync("The lid of the jar was rusty.");
        var held = await SubmitAsync("Glass splinters in the jam.");
        var running = await SubmitAsync("The delivery came a week late.");
        await FinishAsync(anonymised);
        await FinishAsync(held);
        var later = new FixedClock(DateTimeOffset.UtcNow.AddYears(RetentionOptions.MinimumYears).AddDays(40));
        var options = new RetentionOptions();
        var retention = new RetentionService(Factory<FeedbackDbContext>(), options, later);
        await retention.SetLegalHoldAsync(held, true, "Court case 2029-17.", "po", "api", default);
        (await retention.AnonymiseDueAsync(default)).Should().Be(2, "the running case is anonymised too; its instance still runs");

        await using (var db = await Factory<WorkflowDbContext>().CreateDbContextAsync())
        {
            db.Outbox.AddRange(
                new OutboxRecord { Id = "delivered", Type = "Feedback.Email", Payload = "{}", CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.UtcNow, DeliveredAt = DateTimeOffset.UtcNow },
                new OutboxRecord { Id = "pending", Type = "Feedback.Email", Payload = "{}", CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.UtcNow.AddYears(10) });
            await db.SaveChangesAsync();
        }
        var workflowData = new WorkflowDataRetention(Factory<WorkflowDbContext>(), Factory<FeedbackDbContext>(), _host.Services.GetRequiredService<WorkflowRuntime>(), options, later);

        (await workflowData.RemoveInstancesOfAnonymisedCasesAsync(default)).Should().Be(1);
        (await workflowData.RemoveInstancesOfAnonymisedCasesAsync(default)).Should().Be(0, "a second pass finds nothing left");
        (await workflowData.PurgeDeliveredMailAsync(default)).Should().Be(1);

        await using var check = await Factory<WorkflowDbContext>().CreateDbContextAsync();
        (await check.Instances.Select(i => i.CorrelationId).ToListAsync()).Should().BeEquivalentTo([held, running]);
        (await check.Journal.CountAsync(j => !check.Instances.Any(i => i.Id == j.WorkflowInstanceId))).Should().Be(0, "the journal went with its instance");
        (await check.Outbox.Select(o => o.Id).ToListAsync()).Should().Equal("pending");
    }

    [Fact]
    public async Task A_customers_later_mail_is_shown_in_the_history_and_removed_with_the_case_data()
    {
        var number = await SubmitAsync("The lid of the jar was rusty.", email: "lin@example.cn");
        var intake = _host.Services.GetRequiredService<MailIntakeService>();
        var reply = new IncomingMail("reply-1", "Ms Lin", "lin@example.cn", $"Re: {number}", "My address is 12 Jade Road.", number, [], [], Automatic: false, SentAt: null);
        (await intake.AcceptAsync(reply, default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);
        var cases = _host.Services.GetRequiredService<CaseService>();
        var caseId = (await cases.FindAsync(number, default))!.Id;
        (await cases.HistoryAsync(caseId, default)).Single(h => h.Action == MailIntakeService.CustomerMessageAction).Details.Should().Contain("12 Jade Road");

        var later = new FixedClock(DateTimeOffset.UtcNow.AddYears(RetentionOptions.MinimumYears).AddDays(1));
        (await new RetentionService(Factory<FeedbackDbContext>(), new RetentionOptions(), later).AnonymiseDueAsync(default)).Should().Be(1);

        (await cases.HistoryAsync(caseId, default)).Single(h => h.Action == MailIntakeService.CustomerMessageAction).Details.Should().Be(RetentionService.RemovedText);
        await using var db = await Factory<FeedbackDbContext>().CreateDbContextAsync();
        (await db.History.AnyAsync(h => h.Details != null && h.Details.Contains("Jade"))).Should().BeFalse("the append-only trail never held the text");
        (await db.ReceivedMail.AnyAsync(m => m.Text != null && m.Text.Contains("Jade"))).Should().BeFalse();
    }

    [Fact]
    public async Task The_pictures_of_a_customers_later_mail_are_deleted_with_the_case_data()
    {
        var number = await SubmitAsync("The lid of the jar was rusty.", email: "lin@example.cn");
        var kept = await SubmitAsync("The label was torn.", email: "wu@example.cn");
        var intake = _host.Services.GetRequiredService<MailIntakeService>();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        var reply = new IncomingMail("reply-photo", "Ms Lin", "lin@example.cn", $"Re: {number}", "Here is the lid.", number,
            [new IncomingMail.Picture("lid.png", "image/png", png), new IncomingMail.Picture("jar.png", "image/png", png)], [], Automatic: false, SentAt: null);
        (await intake.AcceptAsync(reply, default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);
        var later = new FixedClock(DateTimeOffset.UtcNow.AddYears(RetentionOptions.MinimumYears).AddDays(1));
        var retention = new RetentionService(Factory<FeedbackDbContext>(), new RetentionOptions(), later);
        await retention.SetLegalHoldAsync(kept, true, "Court case 2029-17.", "po", "api", default);
        (await intake.AcceptAsync(reply with { Key = "reply-photo-kept", SenderAddress = "wu@example.cn", Subject = $"Re: {kept}", CaseNumber = kept }, default))
            .Kind.Should().Be(MailOutcomeKind.AddedToCase);
        await using (var db = await Factory<FeedbackDbContext>().CreateDbContextAsync())
            (await db.Photos.CountAsync()).Should().Be(4, "both mails' pictures are stored as photos");

        (await retention.AnonymiseDueAsync(default)).Should().Be(1);

        await using var check = await Factory<FeedbackDbContext>().CreateDbContextAsync();
        (await check.Photos.CountAsync()).Should().Be(2, "the anonymised case's mailed pictures go; the held case keeps its own");
    }

    [Fact]
    public async Task A_customers_later_mail_keeps_an_old_case_from_anonymisation()
    {
        var number = await SubmitAsync("The lid of the jar was rusty.", email: "lin@example.cn");
        await BackdateAsync(number);
        var reply = new IncomingMail("reply-late", "Ms Lin", "lin@example.cn", $"Re: {number}", "It happened again with a new jar.", number, [], [], Automatic: false, SentAt: null);
        (await _host.Services.GetRequiredService<MailIntakeService>().AcceptAsync(reply, default)).Kind.Should().Be(MailOutcomeKind.AddedToCase);

        var tomorrow = new FixedClock(DateTimeOffset.UtcNow.AddDays(1));
        (await new RetentionService(Factory<FeedbackDbContext>(), new RetentionOptions(), tomorrow).AnonymiseDueAsync(default))
            .Should().Be(0, "the mail received today is a change to the case");
        await using var check = await Factory<FeedbackDbContext>().CreateDbContextAsync();
        (await check.ReceivedMail.SingleAsync(m => m.CaseNumber == number)).Text.Should().Contain("It happened again");
    }

    [Fact]
    public async Task An_instance_that_finished_after_its_cases_last_change_is_deleted_once_the_case_is_anonymised()
    {
        var number = await SubmitAsync("The lid of the jar was rusty.", email: "lin@example.cn");
        await FinishAsync(number);
        await BackdateAsync(number);
        var tomorrow = new FixedClock(DateTimeOffset.UtcNow.AddDays(1));
        var options = new RetentionOptions();
        (await new RetentionService(Factory<FeedbackDbContext>(), options, tomorrow).AnonymiseDueAsync(default)).Should().Be(1);

        var workflowData = new WorkflowDataRetention(Factory<WorkflowDbContext>(), Factory<FeedbackDbContext>(), _host.Services.GetRequiredService<WorkflowRuntime>(), options, tomorrow);
        (await workflowData.RemoveInstancesOfAnonymisedCasesAsync(default)).Should().Be(1, "the instance holds the customer's text, however recently it finished");

        await using var check = await Factory<WorkflowDbContext>().CreateDbContextAsync();
        (await check.Instances.AnyAsync(i => i.CorrelationId == number)).Should().BeFalse();
    }

    [Fact]
    public async Task Undelivered_mail_about_an_anonymised_case_is_deleted_and_nothing_else()
    {
        var anonymised = await SubmitAsync("The lid of the jar was rusty.", email: "lin@example.cn");
        var current = await SubmitAsync("Glass splinters in the jam.", email: "wu@example.cn");
        await BackdateAsync(anonymised);
        var tomorrow = new FixedClock(DateTimeOffset.UtcNow.AddDays(1));
        var options = new RetentionOptions();
        (await new RetentionService(Factory<FeedbackDbContext>(), options, tomorrow).AnonymiseDueAsync(default)).Should().Be(1);
        await using (var db = await Factory<WorkflowDbContext>().CreateDbContextAsync())
        {
            // Never due in this test, as a mail to a dead mailbox stays in the queue, retried without end.
            OutboxRecord Mail(string id, string? number, DateTimeOffset? deliveredAt = null) => new()
            {
                Id = id, Type = Feedback.Activities.Notification.NotifyCustomer.EmailOutboxType, CreatedAt = DateTimeOffset.UtcNow,
                NextAttemptAt = DateTimeOffset.UtcNow.AddYears(10), DeliveredAt = deliveredAt,
                Payload = new JsonObject { ["to"] = "lin@example.cn", ["subject"] = "Your complaint", ["text"] = "Dear Ms Lin", ["caseNumber"] = number }.ToJsonString(),
            };
            db.Outbox.AddRange(Mail("stuck", anonymised), Mail("other-case", current), Mail("no-case", null), Mail("delivered", anonymised, DateTimeOffset.UtcNow),
                new OutboxRecord { Id = "event", Type = "Elsa.Event", Payload = "not json", CreatedAt = DateTimeOffset.UtcNow, NextAttemptAt = DateTimeOffset.UtcNow.AddYears(10) });
            await db.SaveChangesAsync();
        }
        var workflowData = new WorkflowDataRetention(Factory<WorkflowDbContext>(), Factory<FeedbackDbContext>(), _host.Services.GetRequiredService<WorkflowRuntime>(), options, tomorrow);

        (await workflowData.RemoveUndeliveredMailOfAnonymisedCasesAsync(default)).Should().Be(1);
        (await workflowData.RemoveUndeliveredMailOfAnonymisedCasesAsync(default)).Should().Be(0, "a second pass finds nothing left");

        await using var check = await Factory<WorkflowDbContext>().CreateDbContextAsync();
        (await check.Outbox.Select(o => o.Id).ToListAsync()).Should().Contain(["other-case", "no-case", "delivered", "event"]).And.NotContain("stuck",
            "delivered mail goes after its own period; undelivered mail of a case that is no more would be sent with its data, or retried for ever");
    }

    /// <summary>Moves the case's receipt and last change back past the retention period.</summary>
    private async Task BackdateAsync(string number)
    {
        var longAgo = DateTimeOffset.UtcNow.AddYears(-RetentionOptions.MinimumYears).AddDays(-10);
        await using var db = await Factory<FeedbackDbContext>().CreateDbContextAsync();
        await db.Cases.Where(c => c.Number == number).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReceivedAt, longAgo).SetProperty(c => c.UpdatedAt, longAgo));
    }

    private IDbContextFactory<T> Factory<T>() where T : DbContext => _host.Services.GetRequiredService<IDbContextFactory<T>>();

    private async Task<string> SubmitAsync(string content, string? email = null)
    {
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "Ms Lin", ["customerPhone"] = "+86 138 0000 0001", ["customerEmail"] = email, ["content"] = content,
        });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    private async Task FinishAsync(string number)
    {
        (await _staff.PostAsJsonAsync("/elsa/api/events/handled/trigger", new JsonObject { ["correlationId"] = number })).EnsureSuccessStatusCode();
        await using var db = await Factory<WorkflowDbContext>().CreateDbContextAsync();
        (await db.Instances.SingleAsync(i => i.CorrelationId == number)).Status.Should().Be(nameof(WorkflowStatus.Finished));
    }

    private sealed class FixedClock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow => now;
    }
}
