using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Escalation;

/// <summary>Escalate through the HTTP API on PostgreSQL with the example organisation and a real SMTP server.</summary>
public sealed class EscalateApiTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private SmtpSink _smtp = null!;
    private TestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new TestHost(_db.ConnectionString)
        {
            OrganizationSeedFile = Path.Combine(AppContext.BaseDirectory, "workflows", "directory", "example-organization.json"),
            SmtpPort = _smtp.Port,
        };
        _api = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Four_escalations_in_one_step_climb_the_chain_commit_with_it_and_mail_each_level_once()
    {
        // Assign, then escalate four times in a row: each escalation sees the level the previous one staged.
        var step = Inputs(("reason", Js("'Customer unhappy, round ' + getVariable('Round')")), ("by", Lit("xu.ting")));
        var definition = new FlowBuilder()
            .Variable("Round", "String", "1")
            .Activity("assign", "Feedback.AssignResponsibility", Inputs(("category", Lit("ProductQuality"))))
            .Activity("e1", "Feedback.Escalate", step).Activity("e2", "Feedback.Escalate", step)
            .Activity("e3", "Feedback.Escalate", step).Activity("e4", "Feedback.Escalate", step)
            .Activity("top", "Elsa.SetName", Inputs(("value", Lit("at the top"))))
            .Connect("assign", "e1", "Assigned").Connect("e1", "e2", "DepartmentHead").Connect("e2", "e3", "ComplaintDeskManager")
            .Connect("e3", "e4", "Management").Connect("e4", "top", "AlreadyAtTop")
            .Build("general-feedback", "Escalate four times");
        await _api.PublishAsync(definition);

        var response = await _host.CreateClient().PostAsJsonAsync("/api/feedback", new JsonObject
        {
            ["channel"] = "WebForm", ["customerName"] = "王女士", ["customerEmail"] = "wang@example.cn", ["content"] = "罐头鼓包了，打开有异味。",
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        var feedback = (await _api.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
        var instance = await _api.InstanceAsync((string)feedback["workflowInstanceId"]!);
        ((string?)instance["name"]).Should().Be("at the top", instance["workflowState"]!["incidents"]!.ToJsonString());
        ((int)feedback["escalationLevel"]!).Should().Be(3);
        var escalations = feedback["history"]!.AsArray().Where(h => (string?)h!["action"] == "Escalated").ToList();
        escalations.Select(h => (string?)h!["actor"]).Should().Equal("xu.ting", "xu.ting", "xu.ting", "xu.ting");
        escalations.Select(h => (string?)h!["details"]).Should().SatisfyRespectively(
            d => d.Should().StartWith("Level 1 (department head) by xu.ting: Customer unhappy, round 1"),
            d => d.Should().StartWith("Level 2 (complaint desk manager)"),
            d => d.Should().StartWith("Level 3 (management)"),
            d => d.Should().StartWith("Already at management"));

        var mails = await _smtp.WaitForAsync(4, TimeSpan.FromSeconds(15), m => m.Headers["X-Feedback-Message"] == "Escalation");
        mails.Select(m => m.To.Mailboxes.Single().Address).Should().BeEquivalentTo(
            ["chen.jie@example.com", "zhou.min@example.com", "ma.jun@example.com", "ma.jun@example.com"]);
        mails.Should().OnlyContain(m => m.Headers["X-Feedback-Case"] == number && (m.Subject ?? "").Contains(number));
        mails.Single(m => m.To.Mailboxes.Single().Address == "zhou.min@example.com").TextBody
            .Should().Contain("Zhou Min，您好").And.Contain("原级别：1（部门负责人）").And.Contain("罐头鼓包了");
        await Task.Delay(2000); // the outbox polls every second: a repeated delivery would show by now
        _smtp.Messages(m => m.Headers["X-Feedback-Message"] == "Escalation").Should().HaveCount(4);
        _smtp.Messages().Should().ContainSingle(m => m.Headers["X-Feedback-Message"] == "HelperNotice", "besides, production hears it helps with the case");
    }
}
