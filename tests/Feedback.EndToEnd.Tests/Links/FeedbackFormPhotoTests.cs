using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.EndToEnd.Tests.Infrastructure;
using Feedback.Workflows.Tests.Infrastructure;
using Npgsql;

namespace Feedback.EndToEnd.Tests.Links;

/// <summary>The public form keeps a submit's photos only when the submit creates a case.</summary>
public sealed class FeedbackFormPhotoTests
{
    /// <summary>The smallest valid PNG: the signature the upload check looks for, then IHDR, IDAT and IEND.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Photos_of_a_failed_or_repeated_submit_are_not_kept()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var host = new StudioTestHost(database.ConnectionString, kestrel: false, LinkFlow.HostSettings(0, "http://localhost"));
        var browser = host.Browser();

        // No process published yet: registration fails after the photo was stored.
        var (failed, _) = await SubmitAsync(browser, key: null);
        failed.StatusCode.Should().NotBe(HttpStatusCode.OK);
        (await PhotoCountAsync(database)).Should().Be(0, "a submit that creates no case leaves no photo behind");

        await host.Api().PostJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = LinkFlow.Definition(), ["publish"] = true });
        var (first, key) = await SubmitAsync(browser, key: null);
        var firstPage = await first.Content.ReadAsStringAsync();
        first.StatusCode.Should().Be(HttpStatusCode.OK, firstPage);
        var (again, _) = await SubmitAsync(browser, key);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        CaseNumberIn(await again.Content.ReadAsStringAsync()).Should().Be(CaseNumberIn(firstPage), "a repeated submit finds the first case");
        (await PhotoCountAsync(database)).Should().Be(1, "the repeated submit's copy of the photo is removed");
    }

    [Fact]
    public async Task A_form_whose_photos_are_over_the_limit_comes_back_with_its_text()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        // Through Kestrel, whose own limit (30 MB) would cut a larger upload off before its end.
        await using var host = new StudioTestHost(database.ConnectionString, kestrel: true, LinkFlow.HostSettings(0, baseUrl: null));
        host.Start();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
        // Three phone photos of 12 MB: more than the form takes, and more than Kestrel reads by default.
        var huge = new byte[36 * 1024 * 1024];
        Png.CopyTo(huge, 0);

        var (response, key) = await SubmitAsync(browser, key: null, photo: huge);
        var page = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        page.Should().Contain("照片太大，表单尚未提交").And.Contain("The lid of the peach can was dented and rusty.</textarea>")
            .And.Contain("value=\"Peach halves 425g\"").And.Contain("value=\"ann@example.com\"").And.Contain("value=\"Ann Lee\"");
        page.Should().NotContain(key, "the post's origin was not checked, so its key is not reused");
        (await PhotoCountAsync(database)).Should().Be(0);
    }

    /// <summary>Fills the form as a browser does (anti-forgery token, hidden key) with one photo; a given key repeats a submit.</summary>
    private static async Task<(HttpResponseMessage Response, string Key)> SubmitAsync(HttpClient browser, string? key, byte[]? photo = null)
    {
        var form = await browser.GetStringAsync("/feedback?lang=en");
        string Hidden(string name) => Regex.Match(form, $"<input[^>]*name=\"{name}\"[^>]*value=\"([^\"]*)\"").Groups[1].Value;
        key ??= Hidden("key");
        var content = new MultipartFormDataContent
        {
            { new StringContent(Hidden("__af")), "__af" },
            { new StringContent(key), "key" },
            { new StringContent("en"), "language" },
            { new StringContent("Ann Lee"), "name" },
            { new StringContent("ann@example.com"), "email" },
            { new StringContent("The lid of the peach can was dented and rusty."), "content" },
            { new StringContent("Peach halves 425g"), "product" },
        };
        var picture = new ByteArrayContent(photo ?? Png);
        picture.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        content.Add(picture, "photos", "lid.png");
        return (await browser.PostAsync("/feedback", content), key);
    }

    private static string CaseNumberIn(string page) => Regex.Match(page, @"FB-\d{4}-\d{6}").Value;

    private static async Task<long> PhotoCountAsync(PostgresDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM uploaded_photos", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
