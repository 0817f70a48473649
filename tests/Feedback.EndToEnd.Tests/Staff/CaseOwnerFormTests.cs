using System.Net;
using System.Text.Json.Nodes;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using static Feedback.EndToEnd.Tests.Staff.StaffPageFlow;

namespace Feedback.EndToEnd.Tests.Staff;

/// <summary>The lead department's head gives a case to another member on its staff page; staff cannot.</summary>
public sealed class CaseOwnerFormTests : IAsyncLifetime
{
    private const string Password = "Tinned-peaches-2026";
    private PostgresDatabase _database = null!;
    private SmtpSink _smtp = null!;
    private StudioTestHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _smtp = await SmtpSink.StartAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, LinkFlow.HostSettings(_smtp.Port, "http://localhost"));
        _api = _host.Api();
        await _api.PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
        await AddProcessOwnerAsync(_api);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task The_head_gives_the_case_to_a_colleague_on_its_page_and_the_open_plan_goes_along()
    {
        var number = await SubmitComplaintAsync(_api);
        var plan = await OpenTaskAsync(_api, number, "Submit a rectification plan");
        var owner = (string)plan["assignee"]!;
        var colleague = owner == "li.wei" ? "zhang.hua" : "li.wei";
        foreach (var user in new[] { owner, "chen.jie" })
            await GivePasswordAsync(_api, _smtp, _host.Browser(), user, Password);

        var staff = await SignedInAsync(_host, owner, Password);
        var staffPage = await staff.GetStringAsync($"/staff/cases/{number}?lang=en");
        staffPage.Should().NotContain("Who is responsible", "staff do not hand cases around themselves");
        (await staff.PostAsync($"/staff/cases/{number}/owner?lang=en", Form(Token(staffPage), ("to", colleague), ("reason", "Busy"))))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var head = await SignedInAsync(_host, "chen.jie", Password);
        var page = await head.GetStringAsync($"/staff/cases/{number}?lang=en");
        page.Should().Contain($"{owner} is responsible now.");
        var given = await head.PostAsync($"/staff/cases/{number}/owner?lang=en", Form(Token(page), ("to", colleague), ("reason", "On leave for three weeks")));
        given.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await head.GetStringAsync(given.Headers.Location!.OriginalString)).Should().Contain($"{colleague} is responsible now.");
        ((string?)(await OpenTaskAsync(_api, number, "Submit a rectification plan"))["assignee"]).Should().Be(colleague);
        var refused = await head.PostAsync($"/staff/cases/{number}/owner?lang=en", Form(Token(page), ("to", "nobody.here"), ("reason", "Typo")));
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("not an active member");
    }
}
