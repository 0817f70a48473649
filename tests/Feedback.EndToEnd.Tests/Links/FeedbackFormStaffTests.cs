using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>The public form's "staff member concerned": a name the directory knows keeps that person out of the case.</summary>
public sealed class FeedbackFormStaffTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false, LinkFlow.HostSettings(0, "http://localhost"));
        await _host.Api().PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_staff_member_the_directory_knows_is_kept_out_and_any_other_name_goes_to_the_complaint_desk_in_the_text()
    {
        var browser = _host.Browser();
        (await browser.GetStringAsync("/feedback?lang=en")).Should().Contain("Name of the staff member concerned");

        // The display name as the customer wrote it, in another letter case.
        var known = await CaseAsync(await SubmitAsync(browser, "  song YU "));
        ((string?)known["complainedAbout"]).Should().Be("song.yu");
        ((string?)known["content"]).Should().Be("The driver threw the box over the fence.");

        var unknown = await CaseAsync(await SubmitAsync(browser, "the tall driver"));
        ((string?)unknown["complainedAbout"]).Should().BeNull();
        ((string?)unknown["content"]).Should().Be("The driver threw the box over the fence.\n\n(Staff member named by the customer on the form: the tall driver)");

        var tooLong = await PostAsync(browser, new string('x', 101));
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadAsStringAsync()).Should().Contain("Staff member concerned: at most 100 characters.").And.Contain("The driver threw the box over the fence.");
    }

    private async Task<JsonObject> CaseAsync(string number) => await _host.Api().GetJsonAsync($"/api/feedback/{number}");

    private static async Task<string> SubmitAsync(HttpClient browser, string staff)
    {
        var response = await PostAsync(browser, staff);
        var page = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, page);
        return Regex.Match(page, @"FB-\d{4}-\d{6}").Value;
    }

    /// <summary>Fills the form as a browser does (anti-forgery token, hidden key), naming <paramref name="staff"/>.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string staff)
    {
        var form = await browser.GetStringAsync("/feedback?lang=en");
        string Hidden(string name) => Regex.Match(form, $"<input[^>]*name=\"{name}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value;
        return await browser.PostAsync("/feedback?lang=en", new MultipartFormDataContent
        {
            { new StringContent(Hidden("__af")), "__af" }, { new StringContent(Hidden("key")), "key" }, { new StringContent("en"), "language" },
            { new StringContent("Ann Lee"), "name" }, { new StringContent("ann@example.com"), "email" },
            { new StringContent("The driver threw the box over the fence."), "content" }, { new StringContent(staff), "staff" },
        });
    }
}
