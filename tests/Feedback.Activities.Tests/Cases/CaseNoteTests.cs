using System.Net;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Activities.Retention;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;
using static Feedback.Activities.Tests.StaffApiCalls;

namespace Feedback.Activities.Tests.Cases;

/// <summary>Internal notes on a case through the API, on PostgreSQL: who writes them, what the case shows, what the history keeps.</summary>
public sealed class CaseNoteTests : CaseFlagTestHost
{
    [Fact]
    public async Task Staff_on_the_case_add_notes_the_case_shows_them_and_the_history_keeps_only_that_one_was_added()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();

        var added = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", "desk",
            new JsonObject { ["text"] = "  Production checked batch B20261018: seal pressure was low on line 2.  " });
        added.StatusCode.Should().Be(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", "po", new JsonObject { ["text"] = "Agreed with the customer by phone: a refund." });

        var view = await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk");
        view["notes"]!.AsArray().Select(n => ((string?)n!["author"], (string?)n["text"])).Should().Equal(
            ("desk", "Production checked batch B20261018: seal pressure was low on line 2."), ("po", "Agreed with the customer by phone: a refund."));
        var history = await HistoryAsync(number);
        history.Should().Contain("NoteAdded by desk: A note was added.").And.Contain("NoteAdded by po: A note was added.");
        history.Should().NotContain(h => h.Contains("seal pressure"), "the history outlives retention; the note's text does not");
    }

    [Fact]
    public async Task A_note_on_an_old_case_keeps_it_and_the_note_from_retention_for_the_full_period()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var factory = Host.Services.GetRequiredService<IDbContextFactory<FeedbackDbContext>>();
        var longAgo = DateTimeOffset.UtcNow.AddYears(-RetentionOptions.MinimumYears).AddDays(-10);
        await using (var db = await factory.CreateDbContextAsync())
            await db.Cases.Where(c => c.Number == number).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReceivedAt, longAgo).SetProperty(c => c.UpdatedAt, longAgo));

        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", "desk", new JsonObject { ["text"] = "The customer called again about the refund." }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var tomorrow = new FixedClock(DateTimeOffset.UtcNow.AddDays(1));
        (await new RetentionService(factory, new RetentionOptions(), tomorrow).AnonymiseDueAsync(default)).Should().Be(0, "the note, a day old, is a change to the case");

        await using (var db = await factory.CreateDbContextAsync())
            (await db.Cases.SingleAsync(c => c.Number == number)).AnonymisedAt.Should().BeNull();
        (await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk"))["notes"]!.AsArray().Select(n => (string?)n!["text"]).Should().Equal("The customer called again about the refund.");
    }

    [Fact]
    public async Task A_note_needs_a_person_on_the_case_and_some_text()
    {
        await Api.PublishAsync(new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("never")))).Build("general-feedback", "General feedback"));
        var number = await SubmitAsync();
        var body = new JsonObject { ["text"] = "A note." };

        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", "hana", body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "quality is not on this case");
        (await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", null, body)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a note has a person behind it");
        (await Api.SendAsStaffAsync(HttpMethod.Post, "/api/feedback/FB-2026-999999/notes", "desk", body)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreach (var bad in new[]
                 {
                     new JsonObject(), new JsonObject { ["text"] = "  " }, new JsonObject { ["text"] = 5 },
                     new JsonObject { ["text"] = new string('x', CaseNotes.MaxTextLength + 1) }, new JsonObject { ["text"] = "nul \u0000 inside" },
                 })
        {
            var response = await Api.SendAsStaffAsync(HttpMethod.Post, $"/api/feedback/{number}/notes", "desk", bad);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad.ToJsonString());
            (await response.Content.ReadAsStringAsync()).Should().Contain("errors");
        }

        (await Api.GetAsStaffAsync($"/api/feedback/{number}", "desk"))["notes"]!.AsArray().Should().BeEmpty("nothing was stored by the refused calls");
    }

    private sealed class FixedClock(DateTimeOffset now) : Feedback.Workflows.Runtime.IClock
    {
        public DateTimeOffset UtcNow => now;
    }
}
