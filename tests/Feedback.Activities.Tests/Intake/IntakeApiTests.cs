using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Workflows.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Feedback.Workflows.Tests.Infrastructure.FlowBuilder;

namespace Feedback.Activities.Tests.Intake;

/// <summary>The intake API on PostgreSQL: cases are registered once, numbered, validated, and their workflow started.</summary>
public sealed class IntakeApiTests : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private TestHost _host = null!;
    private HttpClient _public = null!;
    private HttpClient _staff = null!;

    public async Task InitializeAsync()
    {
        _db = await PostgresDatabase.CreateAsync();
        _host = new TestHost(_db.ConnectionString);
        _public = _host.CreateClient();
        _staff = _host.Api();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>A minimal process under the id intake starts: it waits for an event.</summary>
    private async Task PublishProcessAsync()
    {
        var definition = new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("handled")))).Build("general-feedback", "General feedback");
        var response = await _staff.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = definition, ["publish"] = true });
        response.EnsureSuccessStatusCode();
    }

    private static JsonObject Complaint(string content = "买的午餐肉罐头胀罐了，打开有异味，要求退货。") => new()
    {
        ["channel"] = "WebForm",
        ["customerName"] = "王女士",
        ["customerPhone"] = "+86 138 0000 0000",
        ["language"] = "zh-CN",
        ["content"] = content,
        ["product"] = new JsonObject { ["name"] = "午餐肉罐头 340g", ["batchOrSerial"] = "L20261101", ["quantityAffected"] = 2 },
        ["requests"] = new JsonArray("Return", "Apology"),
    };

    private async Task<int> CaseCountAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        return await db.Cases.CountAsync();
    }

    [Fact]
    public async Task A_customer_name_holding_a_web_address_is_refused_and_a_mail_sender_so_named_is_called_by_the_address()
    {
        await PublishProcessAsync();
        foreach (var name in new[] { "Cheap cans at https://spam.example", "www.spam.example", "HTTP://spam.example" })
        {
            var body = Complaint();
            body["customerName"] = name;
            var response = await _public.PostAsJsonAsync("/api/feedback", body);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, name);
            (await response.Content.ReadAsStringAsync()).Should().Contain("customerName: a name, not a web address", name);
        }
        (await CaseCountAsync()).Should().Be(0);

        // A mail is not refused for its sender's display name: the address's own name stands in.
        var intake = _host.Services.GetRequiredService<Feedback.Activities.Intake.Mail.MailIntakeService>();
        var mail = new Feedback.Activities.Intake.Mail.IncomingMail("spam-name-1", "Cheap cans www.spam.example", "lin@example.cn", "Dented can",
            "The luncheon meat can was dented.", null, [], [], Automatic: false, SentAt: null);
        var outcome = await intake.AcceptAsync(mail, default);
        outcome.Kind.Should().Be(Feedback.Activities.Intake.Mail.MailOutcomeKind.CaseOpened, outcome.ToString());
        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        (await db.Cases.SingleAsync()).CustomerName.Should().Be("lin");
    }

    [Fact]
    public async Task A_submission_becomes_a_numbered_case_with_history_and_a_correlated_workflow()
    {
        await PublishProcessAsync();

        var response = await _public.PostAsJsonAsync("/api/feedback", Complaint());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        number.Should().MatchRegex(@"^FB-\d{4}-000001$");

        var view = (await _staff.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
        ((string?)view["status"]).Should().Be("Registered");
        ((string?)view["product"]!["batchOrSerial"]).Should().Be("L20261101");
        view["requests"]!.AsArray().Select(r => (string?)r).Should().Equal("Return", "Apology");
        view["history"]!.AsArray().Should().ContainSingle().Which!["action"]!.GetValue<string>().Should().Be("Registered");

        var instances = await _staff.PostAsJsonAsync("/elsa/api/workflow-instances", new JsonObject { ["correlationId"] = number });
        var items = (await instances.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        items.Should().ContainSingle().Which!["id"]!.GetValue<string>().Should().Be((string)view["workflowInstanceId"]!);
    }

    [Fact]
    public async Task A_retried_submission_with_the_same_idempotency_key_creates_one_case_even_concurrently()
    {
        await PublishProcessAsync();
        async Task<HttpResponseMessage> Submit()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/feedback") { Content = JsonContent.Create(Complaint()) };
            request.Headers.Add("Idempotency-Key", "form-7f3a");
            return await _public.SendAsync(request);
        }

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Submit()));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).Should().Be(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(5);
        var numbers = await Task.WhenAll(responses.Select(async r => (string)(await r.Content.ReadFromJsonAsync<JsonObject>())!["number"]!));
        numbers.Distinct().Should().ContainSingle();
        (await CaseCountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task An_idempotency_key_sent_again_with_other_feedback_is_refused_without_showing_the_first_case()
    {
        await PublishProcessAsync();
        async Task<HttpResponseMessage> Submit(JsonObject body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/feedback") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "order-1001");
            return await _public.SendAsync(request);
        }
        var first = await Submit(Complaint());
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var number = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        // Another customer whose shop's order numbers happen to be the same keys.
        var other = new JsonObject { ["channel"] = "WebForm", ["customerName"] = "Ann Lee", ["customerEmail"] = "ann@example.com", ["language"] = "en", ["content"] = "The peach can was dented." };
        var refused = await Submit(other);
        var text = await refused.Content.ReadAsStringAsync();
        refused.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, text);
        text.Should().Contain("Idempotency-Key").And.NotContain(number).And.NotContain("王女士").And.NotContain("receivedAt");

        // The same customer correcting their text under the old key is refused too; their first text stays as sent.
        var corrected = await Submit(Complaint("买的午餐肉罐头胀罐了，打开有异味，要求退款。"));
        corrected.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);

        var retried = await Submit(Complaint());
        retried.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string)(await retried.Content.ReadFromJsonAsync<JsonObject>())!["number"]!).Should().Be(number);
        (await CaseCountAsync()).Should().Be(1);
        ((string?)(await _staff.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!["content"]).Should().Be("买的午餐肉罐头胀罐了，打开有异味，要求退货。");

        // A staff entry does not find the public caller's case by its key either, even with the same words.
        var entry = new HttpRequestMessage(HttpMethod.Post, "/api/feedback/staff-entry")
        {
            Content = JsonContent.Create(new JsonObject { ["enteredBy"] = "li.na", ["feedback"] = Complaint() }),
        };
        entry.Headers.Add("Idempotency-Key", "order-1001");
        (await _staff.SendAsync(entry)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Concurrent_submissions_get_distinct_consecutive_numbers()
    {
        await PublishProcessAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => _public.PostAsJsonAsync("/api/feedback", Complaint())));
        var numbers = await Task.WhenAll(responses.Select(async r => (string)(await r.Content.ReadFromJsonAsync<JsonObject>())!["number"]!));
        numbers.Select(n => int.Parse(n[^6..])).Order().Should().Equal(Enumerable.Range(1, 30));
    }

    [Theory]
    [InlineData("""{"channel":"WebForm","customerName":"A","customerPhone":"12345"}""", "content: required")]
    [InlineData("""{"channel":"WebForm","anonymous":true,"customerEmail":"a@b.cn","content":"x"}""", "anonymous")]
    [InlineData("""{"channel":"WebForm","customerName":"A","customerPhone":"12345","content":"<script>alert(1)</script>"}""", "HTML markup")]
    [InlineData("""{"channel":"WebForm","anonymous":"yes","content":"x"}""", "$.anonymous")]
    [InlineData("""{"channel":"Pigeon","anonymous":true,"content":"x"}""", "$.channel")]
    [InlineData("""{"channel":"WebForm","anonymous":true,"content":"x","sneaky":1}""", "sneaky")]
    [InlineData("""{"channel":"WebForm","anonymous":true,"content":""", "line")]
    [InlineData("""{"channel":"Phone","anonymous":true,"content":"x"}""", "staff-entry")]
    [InlineData("""{"channel":"WebForm","customerName":"A","customerEmail":"not-an-address","content":"x"}""", "customerEmail")]
    [InlineData("""{"channel":"WebForm","anonymous":true,"content":"x","receivedAt":"2020-01-05T08:00:00Z"}""", "receivedAt: set by the server")]
    public async Task Bad_input_gets_a_clear_400_and_stores_nothing(string body, string expected)
    {
        await PublishProcessAsync();
        var response = await _public.PostAsync("/api/feedback", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
        (await CaseCountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_huge_body_gets_413_and_stores_nothing()
    {
        await PublishProcessAsync();
        var huge = Complaint(new string('很', 5_000_000));
        var response = await _public.PostAsync("/api/feedback", new StringContent(huge.ToJsonString(), Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await CaseCountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Without_a_published_process_intake_answers_503_and_stores_nothing()
    {
        var response = await _public.PostAsJsonAsync("/api/feedback", Complaint());
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).Should().Contain("general-feedback");
        (await CaseCountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Anonymous_feedback_stores_no_contact_and_staff_routes_need_the_key()
    {
        await PublishProcessAsync();
        var response = await _public.PostAsJsonAsync("/api/feedback", new JsonObject { ["channel"] = "WebForm", ["anonymous"] = true, ["content"] = "The cashier was rude." });
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        (await _public.GetAsync($"/api/feedback/{number}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var view = (await _staff.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
        view["customerName"].Should().BeNull();
        view["customerPhone"].Should().BeNull();
        ((bool)view["anonymous"]!).Should().BeTrue();
        (await _staff.GetAsync("/api/feedback/FB-1999-000001")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Staff_enter_phone_feedback_under_their_name()
    {
        await PublishProcessAsync();
        var response = await _staff.PostAsJsonAsync("/api/feedback/staff-entry", new JsonObject
        {
            ["enteredBy"] = "li.na",
            ["feedback"] = new JsonObject { ["channel"] = "Phone", ["customerName"] = "Mr Chan", ["customerPhone"] = "852 5555 1234", ["language"] = "zh-TW", ["content"] = "送貨遲了三天，冇人通知。" },
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var number = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        var view = (await _staff.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!;
        ((string?)view["channel"]).Should().Be("Phone");
        ((string?)view["history"]![0]!["actor"]).Should().Be("li.na");
        ((string?)view["history"]![0]!["via"]).Should().Be("staff entry");
    }

    [Fact]
    public async Task Staff_entry_may_give_an_earlier_arrival_but_not_a_future_one()
    {
        await PublishProcessAsync();
        JsonObject Entry(DateTimeOffset receivedAt) => new()
        {
            ["enteredBy"] = "li.na",
            ["feedback"] = new JsonObject { ["channel"] = "Counter", ["anonymous"] = true, ["content"] = "The shop was closed at opening time.", ["receivedAt"] = receivedAt },
        };

        var future = await _staff.PostAsJsonAsync("/api/feedback/staff-entry", Entry(DateTimeOffset.UtcNow.AddDays(1)));
        future.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await future.Content.ReadAsStringAsync()).Should().Contain("receivedAt").And.Contain("in the future");
        (await CaseCountAsync()).Should().Be(0);

        var earlier = DateTimeOffset.UtcNow.AddHours(-3);
        var entered = await _staff.PostAsJsonAsync("/api/feedback/staff-entry", Entry(earlier));
        entered.StatusCode.Should().Be(HttpStatusCode.Created);
        var number = (string)(await entered.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
        ((DateTimeOffset)(await _staff.GetFromJsonAsync<JsonObject>($"/api/feedback/{number}"))!["receivedAt"]!).Should().BeCloseTo(earlier, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Review_import_creates_cases_reports_bad_rows_by_line_and_skips_repeats()
    {
        await PublishProcessAsync();
        var csv = "platform,review_id,received_at,rating,reviewer,order_number,product,content\n" +
                  "Tmall,r-1,2026-11-20T08:00:00Z,1,buyer***9,TM889,午餐肉罐头,\"罐头凹了,还漏汁\"\n" +
                  "JD,r-2,2026-11-21,six,abc,JD1,,\"太慢了\"\n" +
                  "JD,r-3,,5,\"x\"\"y\",JD2,,\"Great taste,\nwill buy again\"\n";
        async Task<JsonObject> Import()
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "reviews.csv" } };
            var response = await _staff.PostAsync("/api/feedback/import/reviews", form);
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }

        // The 5-star review is praise, for the positive-review process, which is not published yet: that row says so.
        var first = await Import();
        ((int)first["created"]!).Should().Be(1);
        var rejected = first["rejected"]!.AsArray();
        rejected.Select(r => (int)r!["line"]!).Should().Equal(3, 4);
        rejected[0]!["errors"]![0]!.GetValue<string>().Should().Contain("rating");
        rejected[1]!["errors"]![0]!.GetValue<string>().Should().Be("process: 'positive-review' is not a published process.");

        var praise = new FlowBuilder().Activity("wait", "Elsa.Event", Inputs(("eventName", Lit("handled")))).Build("positive-review", "Positive review");
        (await _staff.PostAsJsonAsync("/elsa/api/workflow-definitions", new JsonObject { ["model"] = praise, ["publish"] = true })).EnsureSuccessStatusCode();
        var second = await Import();
        ((int)second["created"]!).Should().Be(1);
        ((int)second["alreadyImported"]!).Should().Be(1);
        var third = await Import();
        ((int)third["created"]!).Should().Be(0);
        ((int)third["alreadyImported"]!).Should().Be(2);

        // The reviewer edited the Tmall review on the platform: its case stands, and the row says what to do with the edit.
        csv = csv.Replace("罐头凹了,还漏汁", "罐头凹了,还漏汁,客服也不回");
        var edited = await Import();
        ((int)edited["created"]!).Should().Be(0);
        edited["rejected"]!.AsArray().Single(r => (int)r!["line"]! == 2)!["errors"]![0]!.GetValue<string>()
            .Should().Be("review Tmall/r-1 was imported before with other text or details; its case stands unchanged. Enter the edited review as a note on that case, or as new feedback.");
        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        (await db.Cases.OrderBy(c => c.Id).Select(c => new { c.Title, c.WorkflowDefinitionId }).ToListAsync()).Select(c => (c.Title, c.WorkflowDefinitionId))
            .Should().Equal(("Tmall review, 1 of 5", "general-feedback"), ("JD review, 5 of 5", "positive-review"));
    }

    [Fact]
    public async Task An_imported_reviews_reviewer_name_is_kept_nowhere_in_the_append_only_history()
    {
        await PublishProcessAsync();
        var csv = "platform,review_id,rating,reviewer,content\nTmall,r-9,1,Zhang San,\"罐头凹了\"\n";
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "reviews.csv" } };
        var response = await _staff.PostAsync("/api/feedback/import/reviews", form);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        ((int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["created"]!).Should().Be(1);

        await using var scope = _host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync();
        var history = await db.History.Select(h => new { h.Actor, h.Via, h.Action, h.Details }).ToListAsync();
        history.Should().Contain(h => h.Action == "Registered" && h.Via.Contains("Tmall"), "the platform says where the case came from");
        history.Should().NotContain(h => (h.Actor + h.Via + h.Details).Contains("Zhang"), "the trail outlives retention; an imported review is anonymous");

        // A review imported when the channel still named the reviewer is the same import's when the file comes again.
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE feedback_case_history DISABLE TRIGGER USER");
        await db.History.Where(h => h.Action == "Registered").ExecuteUpdateAsync(s => s.SetProperty(h => h.Via, "review import (Tmall, Zhang San)"));
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE feedback_case_history ENABLE TRIGGER USER");
        var again = await _staff.PostAsync("/api/feedback/import/reviews", new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "reviews.csv" } });
        var result = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        ((int)result["alreadyImported"]!, result["rejected"]!.AsArray().Count).Should().Be((1, 0), result.ToJsonString());
    }

    [Fact]
    public async Task A_case_and_its_workflow_commit_together_or_not_at_all()
    {
        await PublishProcessAsync();
        await using var scope = _host.Services.CreateAsyncScope();
        var cases = scope.ServiceProvider.GetRequiredService<CaseService>();
        // Every registration here arrived at the same moment shortly in the past, so all of them are numbered in its
        // (UTC) year, also when the test runs across New Year.
        var registration = new CaseRegistration { Channel = FeedbackChannel.Phone, Anonymous = true, Content = "罐头漏汁", ReceivedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var year = registration.ReceivedAt!.Value.UtcDateTime.Year;
        var first = await cases.RegisterAsync(registration, "desk", "phone", null, CancellationToken.None);
        first.Case.Number.Should().Be(CaseNumbers.Format(year, 1));
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            // Someone else already holds the next number, so the next registration's commit fails at its last write.
            db.Cases.Add(new FeedbackCase
            {
                Number = CaseNumbers.Format(year, 2), Content = "Entered by hand", Anonymous = true, ReceivedAt = DateTimeOffset.UtcNow,
                WorkflowInstanceId = "0123456789abcdef", WorkflowDefinitionId = "general-feedback",
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await FluentActions.Awaiting(() => cases.RegisterAsync(registration, "desk", "phone", null, CancellationToken.None))
            .Should().ThrowAsync<DbUpdateException>();

        (await CaseCountAsync()).Should().Be(2, "the failed registration stored no case");
        var instances = await _staff.PostAsJsonAsync("/elsa/api/workflow-instances", new JsonObject());
        ((int)(await instances.Content.ReadFromJsonAsync<JsonObject>())!["totalCount"]!).Should().Be(1, "and no workflow instance either");

        var next = await cases.RegisterAsync(registration, "desk", "phone", null, CancellationToken.None);
        next.Case.Number.Should().Be(CaseNumbers.Format(year, 3), "numbers are unique and increasing; a failed registration leaves a gap");
        var instance = (await _staff.GetFromJsonAsync<JsonObject>($"/elsa/api/workflow-instances/{next.Case.WorkflowInstanceId}"))!;
        ((string?)instance["correlationId"]).Should().Be(next.Case.Number);
    }

    [Fact]
    public async Task The_first_cases_of_a_year_numbered_at_once_each_get_their_own_number()
    {
        // A year no other test uses: every caller finds its sequence missing and creates it at the same moment.
        const int year = 2091, callers = 8;
        await using var scope = _host.Services.CreateAsyncScope();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<FeedbackDbContext>>();
        var numbers = await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            await using var db = await factory.CreateDbContextAsync();
            return await CaseNumbers.NextAsync(db, year, CancellationToken.None);
        }));
        numbers.Should().BeEquivalentTo(Enumerable.Range(1, callers).Select(n => CaseNumbers.Format(year, n)));
    }
}
