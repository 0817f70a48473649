using Feedback.Workflows.Tests.Infrastructure;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;

namespace Feedback.EndToEnd.Tests;

/// <summary>The admin shell over HTTP: sign-in and its token, refusals, the Studio files and the pages around them.</summary>
public sealed class StudioShellTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private StudioTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _host = new StudioTestHost(_database.ConnectionString, kestrel: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Pages_ask_for_sign_in_and_the_signed_in_token_is_a_bearer_token_for_the_api()
    {
        var browser = _host.Browser();
        var redirect = await browser.GetAsync("/studio/workflows/instances");
        redirect.StatusCode.Should().Be(HttpStatusCode.Redirect);
        redirect.Headers.Location!.ToString().Should().Be("/studio/signin?returnUrl=%2Fstudio%2Fworkflows%2Finstances");

        var wrong = await SignInAsync(browser, StudioTestHost.UserName, "wrong", "/studio/workflows/instances");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("The user name or password is not right.");
        var unknown = await SignInAsync(browser, "nobody", StudioTestHost.Password, null);
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var signedIn = await SignInAsync(browser, StudioTestHost.UserName.ToUpperInvariant(), StudioTestHost.Password, "/studio/workflows/instances");
        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signedIn.Headers.Location!.ToString().Should().Be("/studio/workflows/instances");
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        cookie.Should().Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/studio");
        var token = Regex.Match(cookie, "feedback_studio=([^;]+)").Groups[1].Value;

        var page = await browser.GetStringAsync("/studio/workflows/instances");
        page.Should().Contain($"access-token=\"{token}\"").And.Contain("<elsa-workflow-instance-list");

        var api = _host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await api.GetAsync("/elsa/api/workflow-definitions")).StatusCode.Should().Be(HttpStatusCode.OK);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^2] + (token.EndsWith("AA") ? "BB" : "AA"));
        (await api.GetAsync("/elsa/api/workflow-definitions")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var signOut = await browser.PostAsync("/studio/signout", null);
        signOut.Headers.Location!.ToString().Should().Be("/studio/signin");
        (await browser.GetAsync("/studio/workflows/instances")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Forms_posted_from_another_site_and_return_addresses_outside_the_shell_are_refused()
    {
        var browser = _host.Browser();
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/studio/signin") { Content = Form(StudioTestHost.UserName, StudioTestHost.Password, null) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        (await browser.SendAsync(crossSite)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var foreignOrigin = new HttpRequestMessage(HttpMethod.Post, "/studio/signin") { Content = Form(StudioTestHost.UserName, StudioTestHost.Password, null) };
        foreignOrigin.Headers.Add("Origin", "https://elsewhere.example");
        (await browser.SendAsync(foreignOrigin)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        foreach (var target in new[] { "https://elsewhere.example/", "//elsewhere.example/studio/", "/studio//elsewhere.example", "/elsa/api/workflow-definitions" })
        {
            var response = await SignInAsync(_host.Browser(), StudioTestHost.UserName, StudioTestHost.Password, target);
            response.Headers.Location!.ToString().Should().Be("/studio/workflows/definitions", $"'{target}' is not a shell page");
        }
    }

    [Fact]
    public async Task Studio_files_are_served_precompressed_with_their_types_and_caching_and_nothing_else_is()
    {
        var client = _host.CreateClient();
        var script = await GetAsync(client, "/studio/_framework/blazor.webassembly.js", "br, gzip");
        script.StatusCode.Should().Be(HttpStatusCode.OK);
        script.Content.Headers.ContentEncoding.Should().Equal("br");
        script.Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        script.Headers.Vary.Should().Contain("Accept-Encoding");
        script.Headers.CacheControl!.NoCache.Should().BeTrue();
        (await GetAsync(client, "/studio/_framework/blazor.webassembly.js", "gzip")).Content.Headers.ContentEncoding.Should().Equal("gzip");
        var plain = await GetAsync(client, "/studio/_framework/blazor.webassembly.js", null);
        plain.Content.Headers.ContentEncoding.Should().BeEmpty();
        (await GetAsync(client, "/studio/_framework/blazor.webassembly.js", "br;q=0, gzip")).Content.Headers.ContentEncoding.Should().Equal("gzip");

        var revalidate = new HttpRequestMessage(HttpMethod.Get, "/studio/_framework/blazor.webassembly.js");
        revalidate.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        (await client.SendAsync(revalidate)).StatusCode.Should().Be(HttpStatusCode.NotModified);

        var folder = Path.Combine(FindHostFolder(), "Studio", "node_modules", "@elsa-workflows", "elsa-studio-wasm", "_framework");
        var wasm = Directory.GetFiles(folder, "*.wasm").Select(Path.GetFileName).Single(f => Regex.IsMatch(f!, @"^Elsa\.Studio\.Workflows\.[a-z0-9]{10}\.wasm$"));
        var runtime = await GetAsync(client, $"/studio/_framework/{wasm}", "br");
        runtime.Content.Headers.ContentType!.MediaType.Should().Be("application/wasm");
        runtime.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
        var icu = Path.GetFileName(Directory.GetFiles(folder, "icudt.*.dat").Single());
        (await GetAsync(client, $"/studio/_framework/{icu}", null)).Content.Headers.ContentType!.MediaType.Should().Be("application/octet-stream");
        (await GetAsync(client, "/studio/_content/Elsa.Studio.Shell/site.webmanifest", null)).Content.Headers.ContentType!.MediaType.Should().Be("application/manifest+json");

        foreach (var hidden in new[] { "/studio/index.html", "/studio/package.json", "/studio/_framework/dotnet.js.br", "/studio/_framework/../../package.json", "/studio/_framework/nope.js" })
            (await GetAsync(client, hidden, "br")).StatusCode.Should().Be(HttpStatusCode.NotFound, hidden);
    }

    [Fact]
    public async Task Without_the_studio_files_every_page_says_they_are_missing_and_how_to_get_them()
    {
        var empty = Directory.CreateTempSubdirectory("feedback-no-studio-");
        await using var host = new StudioTestHost(_database.ConnectionString, kestrel: false, new Dictionary<string, string> { ["Studio:FilesPath"] = empty.FullName });
        var browser = host.Browser();
        foreach (var path in new[] { "/studio", "/studio/signin", "/studio/workflows/definitions" })
        {
            var response = await browser.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, path);
            var page = await response.Content.ReadAsStringAsync();
            page.Should().Contain("The Elsa Studio files are missing").And.Contain("npm ci").And.Contain("Studio:FilesPath").And.NotContain(empty.FullName);
        }
        (await browser.GetAsync("/elsa/api/package/version")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the API still answers, and still wants a key");
        empty.Delete();
    }

    [Fact]
    public async Task A_new_workflow_opens_in_the_editor_page_which_embeds_the_studio_with_this_host_and_the_token()
    {
        var browser = _host.Browser();
        await SignInAsync(browser, StudioTestHost.UserName, StudioTestHost.Password, null);
        var created = await browser.PostAsync("/studio/workflows/definitions/new",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Escalation", ["description"] = "" }));
        created.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var editor = created.Headers.Location!.ToString();
        editor.Should().MatchRegex("^/studio/workflows/definitions/[0-9a-f]+/edit$");
        var definitionId = editor.Split('/')[^2];

        var page = await browser.GetAsync(editor);
        page.Headers.CacheControl!.NoStore.Should().BeTrue();
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("<base href=\"/studio/\">")
            .And.Contain($"<elsa-workflow-definition-editor definition-id=\"{definitionId}\" remote-endpoint=\"http://localhost/elsa/api\" access-token=\"fbs1.")
            .And.Contain("_framework/blazor.webassembly.js");

        var duplicate = await browser.PostAsync("/studio/workflows/definitions/new",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Escalation" }));
        duplicate.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain("already exists");

        var list = await browser.GetStringAsync("/studio/workflows/definitions");
        list.Should().Contain("Escalation").And.Contain("Draft");
        (await browser.GetAsync("/studio/workflows/definitions/unknown/edit")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await browser.GetAsync("/studio/workflows/instances/unknown/view")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // The Studio's own Run navigation lands on the shell's viewer after a reload.
        var run = await browser.GetAsync("/workflows/instances/abc123/view");
        run.Headers.Location!.ToString().Should().Be("/studio/workflows/instances/abc123/view");
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string userName, string password, string? returnUrl) =>
        await browser.PostAsync("/studio/signin", Form(userName, password, returnUrl));

    private static FormUrlEncodedContent Form(string userName, string password, string? returnUrl) => new(new Dictionary<string, string>
    {
        ["userName"] = userName, ["password"] = password, ["returnUrl"] = returnUrl ?? "",
    });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? acceptEncoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return await client.SendAsync(request);
    }

    private static string FindHostFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Feedback.sln"))) return Path.Combine(dir.FullName, "src", "Feedback.Host");
        throw new InvalidOperationException("No Feedback.sln above the test binaries.");
    }
}
