using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Notification;

/// <summary>Customer mail through the outbox to a real SMTP server, in the customer's language.</summary>
public sealed class NotifyCustomerTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new TestHost(_db.ConnectionString) { SmtpPort = _smtp.Port };
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task PublishAsync(JsonObject notifyInputs)
    {
        var definition = new FlowBuilder()
            .Activity("notify", "Feedback.NotifyCustomer", notifyInputs)
            .Activity("sent", "Elsa.SetName", Inputs(("value", Lit("sent"))))
            .Activity("none", "Elsa.SetName", Inputs(("value", Lit("no contact"))))
            .Connect("notify", "sent", "Sent").Connect("notify", "none", "NoContact")
            .Build("general-feedback", "Notify");
        (await _api.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true })).EnsureSuccessStatusCode();
    }

    private async Task<JsonObject> SubmitAsync(JsonObject body)
    {
        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        return (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
    }

    private async Task<JsonObject> InstanceAsync(JsonObject feedback) =>
        (await _api.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{feedback["workflowInstanceId"]}"))!;

    [Fact]
    public async Task The_acknowledgement_reaches_the_customer_once_in_their_language()
    {
        await PublishAsync(Inputs(("message", Lit("Acknowledgement"))));

        var feedback = await SubmitAsync(new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "陳先生", ["customerEmail"] = "chan@example.hk", ["language"] = "zh-TW",
            ["content"] = "送貨延誤了三天。",
        });

        var mail = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15))).Should().ContainSingle().Subject;
        mail.To.Mailboxes.Single().Address.Should().Be("chan@example.hk");
        mail.Subject.Should().Be($"您的意見已受理（{feedback["number"]}）");
        mail.TextBody.Should().Contain("陳先生").And.Contain("24 小時");
        mail.Headers["X-Feedback-Case"].Should().Be((string?)feedback["number"]);
        ((string?)(await InstanceAsync(feedback))["name"]).Should().Be("sent");
        var history = (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{feedback["number"]}"))!["history"]!.AsArray();
        history.Select(h => (string?)h!["action"]).Should().Contain("CustomerNotified");

        await Task.Delay(2500); // the outbox polls every second: a second delivery would show by now
        _smtp.Messages().Should().HaveCount(1);
    }

    [Fact]
    public async Task Anonymous_feedback_takes_no_contact_and_sends_nothing()
    {
        await PublishAsync(Inputs(("message", Lit("Acknowledgement"))));
        var feedback = await SubmitAsync(new JsonObject { ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "Rude driver." });

        ((string?)(await InstanceAsync(feedback))["name"]).Should().Be("no contact");
        await Task.Delay(1500);
        _smtp.Messages().Should().BeEmpty();
    }

    [Fact]
    public async Task A_result_mail_uses_the_designer_text_and_an_invalid_override_becomes_an_incident()
    {
        await PublishAsync(Inputs(("message", Lit("Result")), ("text", Lit("We replaced the batch L2026 and retrained the line."))));
        var english = await SubmitAsync(new JsonObject { ["channel"] = "WebForm", ["customerName"] = "Ann", ["customerEmail"] = "ann@example.com", ["language"] = "en", ["content"] = "Dented can." });
        var mail = (await _smtp.WaitForAsync(1, TimeSpan.FromSeconds(15))).Single();
        mail.Subject.Should().StartWith("The outcome of your feedback");
        mail.TextBody.Should().Contain("We replaced the batch L2026");

        await PublishAsync(Inputs(("message", Lit("Result")), ("subject", Lit("{% if %}")), ("body", Lit("x"))));
        var broken = await SubmitAsync(new JsonObject { ["channel"] = "WebForm", ["customerName"] = "Bo", ["customerEmail"] = "bo@example.com", ["language"] = "en", ["content"] = "Late." });
        var instance = await InstanceAsync(broken);
        ((string?)instance["subStatus"]).Should().Be("Faulted");
        ((string?)instance["workflowState"]!["incidents"]![0]!["message"]).Should().Contain("notify");
        english.Should().NotBeNull();
    }
}
