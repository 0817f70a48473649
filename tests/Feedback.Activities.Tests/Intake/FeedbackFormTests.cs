using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Intake;

/// <summary>The public feedback form as a customer's browser uses it: what it answers, in which language, and what it stores.</summary>
public sealed class FeedbackFormTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        var definition = new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("handled")))).Build("general-feedback", "General feedback");
        (await _host.Api().PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>The form page as a browser got it, to post back from.</summary>
    private sealed record Form(HttpClient Browser, string Html)
    {
        public string Hidden(string name) => WebUtility.HtmlDecode(Regex.Match(Html, $"<input[^>]*name=\"{name}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value);
        public string Action => WebUtility.HtmlDecode(Regex.Match(Html, "<form method=\"post\" action=\"([^\"]*)\"").Groups[1].Value);

        /// <summary>Posts <paramref name="fields"/> where the form says, as the browser would, with the page's hidden fields.</summary>
        public async Task<(HttpResponseMessage Response, string Html)> SendAsync(IReadOnlyDictionary<string, string> fields, string? key = null)
        {
            var content = new MultipartFormDataContent { { new StringContent(Hidden("__af")), "__af" }, { new StringContent(key ?? Hidden("key")), "key" } };
            foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
            var response = await Browser.PostAsync(Action, content);
            return (response, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Opens the form in a new browser whose preferred language is <paramref name="acceptLanguage"/>.</summary>
    private async Task<Form> OpenAsync(string path, string acceptLanguage)
    {
        var browser = _host.CreateClient();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return new Form(browser, await browser.GetStringAsync(path));
    }

    private static Dictionary<string, string> Fields(string content, string language = "en") => new()
    {
        ["language"] = language, ["name"] = "Ann Lee", ["email"] = "ann@example.com", ["content"] = content,
    };

    private async Task<List<string>> ContentsAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        return await db.Cases.OrderBy(c => c.Id).Select(c => c.Content).ToListAsync();
    }

    private static string CaseNumberIn(string html) => Regex.Match(html, @"FB-\d{4}-\d{6}").Value;

    [Fact]
    public async Task A_page_sent_again_with_changed_text_is_not_shown_as_the_old_case_and_the_text_can_go_as_new_feedback()
    {
        var form = await OpenAsync("/feedback?lang=en", "en");
        var (first, firstHtml) = await form.SendAsync(Fields("The peach can was dented."));
        first.StatusCode.Should().Be(HttpStatusCode.OK, firstHtml);
        var number = CaseNumberIn(firstHtml);
        number.Should().NotBeEmpty();

        // Back in the browser, the text corrected, and sent again: the same hidden key.
        var (again, againHtml) = await form.SendAsync(Fields("The peach can was dented and rusty."));
        again.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, againHtml);
        againHtml.Should().NotContain(number).And.NotContain("Thank you")
            .And.Contain("already sent once with different text").And.Contain("The peach can was dented and rusty.");
        (await ContentsAsync()).Should().Equal("The peach can was dented.");

        // The answer carries a new key: sending it again makes the corrected text a case of its own.
        var (resent, resentHtml) = await new Form(form.Browser, againHtml).SendAsync(Fields("The peach can was dented and rusty."));
        resent.StatusCode.Should().Be(HttpStatusCode.OK, resentHtml);
        CaseNumberIn(resentHtml).Should().NotBe(number).And.NotBeEmpty();
        (await ContentsAsync()).Should().Equal("The peach can was dented.", "The peach can was dented and rusty.");

        // The very same submit repeated (a double click) still finds its case.
        var (repeated, repeatedHtml) = await form.SendAsync(Fields("The peach can was dented."));
        repeated.StatusCode.Should().Be(HttpStatusCode.OK);
        CaseNumberIn(repeatedHtml).Should().Be(number);
        (await ContentsAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task Anonymous_feedback_gets_the_link_to_follow_its_case_with_a_word_to_keep_it()
    {
        var form = await OpenAsync("/feedback?lang=en", "en");
        var (response, html) = await form.SendAsync(new Dictionary<string, string> { ["language"] = "en", ["anonymous"] = "on", ["content"] = "The staff at the counter were rude." });
        response.StatusCode.Should().Be(HttpStatusCode.OK, html);
        var link = WebUtility.HtmlDecode(Regex.Match(html, "<a id=\"case-link\" href=\"([^\"]*)\"").Groups[1].Value);
        link.Should().Contain("/l/");
        html.Should().Contain("keep the link above, it is the only way to follow your case");
        form.Html.Should().Contain("aria-describedby=\"contact-hint\"").And.Contain("unless you write anonymously")
            .And.Contain("<option value=\"zh-TW\" lang=\"zh-TW\"", "each language's own name is marked with its language");

        var casePage = await form.Browser.GetAsync(new Uri(link).PathAndQuery);
        casePage.StatusCode.Should().Be(HttpStatusCode.OK);
        (await casePage.Content.ReadAsStringAsync()).Should().Contain(CaseNumberIn(html));
    }

    [Fact]
    public async Task A_form_whose_token_expired_comes_back_with_the_customers_text_and_registers_nothing()
    {
        var form = await OpenAsync("/feedback?lang=en", "en");
        var stale = form with { Html = form.Html.Replace($"value=\"{form.Hidden("__af")}\"", "value=\"expired-token\"") };
        var (response, html) = await stale.SendAsync(Fields("The lid of the peach can was bulging."));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, html);
        WebUtility.HtmlDecode(html).Should().Contain("The form had expired and was not sent").And.Contain("The lid of the peach can was bulging.").And.Contain("ann@example.com");
        (await ContentsAsync()).Should().BeEmpty();
        new Form(form.Browser, html).Hidden("key").Should().NotBe(form.Hidden("key"), "a post that may come from another site does not choose the key");

        var (resent, resentHtml) = await new Form(form.Browser, html).SendAsync(Fields("The lid of the peach can was bulging."));
        resent.StatusCode.Should().Be(HttpStatusCode.OK, resentHtml);
        (await ContentsAsync()).Should().Equal("The lid of the peach can was bulging.");
    }

    [Fact]
    public async Task A_page_sent_again_with_changed_text_is_told_so_in_the_page_language()
    {
        var form = await OpenAsync("/feedback?lang=zh-CN", "zh-CN");
        (await form.SendAsync(Fields("罐头凹了。", "zh-CN"))).Response.StatusCode.Should().Be(HttpStatusCode.OK);
        var (again, html) = await form.SendAsync(Fields("罐头凹了，还生锈。", "zh-CN"));
        again.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        html.Should().Contain("此表单之前已以不同的内容提交过").And.Contain("罐头凹了，还生锈。");
    }

    [Fact]
    public async Task An_english_form_in_a_chinese_browser_answers_in_english_and_names_the_fields_as_the_form_does()
    {
        var form = await OpenAsync("/feedback?lang=en", "zh-CN,zh;q=0.9");
        form.Html.Should().Contain("<label for=\"language\">Reply language</label>");

        var (missing, html) = await form.SendAsync(new Dictionary<string, string> { ["language"] = "en", ["name"] = "Ann Lee", ["content"] = "The <b>lid</b> was dented." });
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        html.Should().Contain("<html lang=\"en\">").And.Contain("Please give an e-mail address or a phone number")
            .And.Contain("Your feedback: HTML markup is not accepted").And.NotContain("customerPhone").And.NotContain("content: HTML").And.NotContain("请");

        var (sent, done) = await form.SendAsync(Fields("The lid was dented."));
        sent.StatusCode.Should().Be(HttpStatusCode.OK, done);
        done.Should().Contain("Thank you, we have your feedback").And.NotContain("已收到您的反馈");
    }

    [Fact]
    public async Task A_chinese_form_answers_its_problems_in_chinese_and_photo_problems_too()
    {
        var form = await OpenAsync("/feedback?lang=zh-CN", "en-US,en;q=0.9");
        form.Html.Should().Contain("<label for=\"language\">回复语言</label>");
        var content = new MultipartFormDataContent
        {
            { new StringContent(form.Hidden("__af")), "__af" }, { new StringContent(form.Hidden("key")), "key" },
            { new StringContent("zh-CN"), "language" }, { new StringContent("王女士"), "name" }, { new StringContent("罐头凹了。"), "content" },
            { new ByteArrayContent("not a picture"u8.ToArray()), "photos", "can.txt" },
        };
        var response = await form.Browser.PostAsync(form.Action, content);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        html.Should().Contain("<html lang=\"zh-CN\">").And.Contain("请至少填写电子邮件或电话中的一项").And.Contain("不是 JPEG、PNG 或 WebP 图片")
            .And.NotContain("customerPhone").And.NotContain("at least one contact").And.NotContain("is not a JPEG").And.Contain("罐头凹了。");
        (await ContentsAsync()).Should().BeEmpty();
    }
}
