using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feedback.Activities.Classification;

namespace Feedback.Benchmarks;

/// <summary>
/// The drill's clients: customers submitting feedback (public intake, an Idempotency-Key per form) and answering the
/// satisfaction survey from the link in its mail, staff completing each case's tasks until it is answered, and starts
/// of the drill's timer flow. Every request that meets a dead host
/// (connection error, time-out) or a 5xx is sent again, with the same key, to another host after a short pause, as a
/// form or a staff front end behind a load balancer would; so a request is only given up at the drill's deadline.
/// </summary>
internal sealed partial class DrillTraffic(DrillCluster cluster, DrillSmtpSink sink, TaskClient tasks, IReadOnlyList<FeedbackSample> samples, string run, DateTime deadline)
{
    // The shipped process sends classifications below this confidence to a person first; those cases would need one
    // more task, which the drill does not model (the same filter as the intake benchmark).
    private const double ShippedThreshold = 0.5;
    private static readonly HashSet<string> Answered = ["Replied", "Closed"];

    private readonly IReadOnlyList<FeedbackSample> _mix = samples.Where(s => !FeedbackClassifier.Default.Classify(s.Text, s.Title).IsUncertain(ShippedThreshold)).ToList();
    private readonly Random _random = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private int _retries;
    private int _completions;
    private int _answered;
    private int _surveys;

    /// <summary>Case number per idempotency key, for every submission answered 201 or 200.</summary>
    public ConcurrentDictionary<string, string> Cases { get; } = new();

    /// <summary>The idempotency key of every case a client began to submit.</summary>
    public ConcurrentBag<string> Submitted { get; } = [];

    /// <summary>Drill timer instances whose start was confirmed (answered, or found afterwards), with their due times.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Timers { get; } = new();

    /// <summary>Requests sent again after a connection error, time-out or 5xx.</summary>
    public int Retries => Volatile.Read(ref _retries);

    public int Completions => Volatile.Read(ref _completions);

    /// <summary>Surveys the customers answered (the page thanked them, or said the survey was answered already).</summary>
    public int SurveysAnswered => Volatile.Read(ref _surveys);

    /// <summary>Cases the client saw answered (status Replied or Closed) before moving on.</summary>
    public int AnsweredCases => Volatile.Read(ref _answered);

    /// <summary>Answers that no retry can fix (4xx other than expected), or requests given up at the deadline.</summary>
    public IReadOnlyList<string> Errors => _errors.ToArray();

    /// <summary>The idempotency key of case <paramref name="n"/>.</summary>
    public string Key(int n) => $"drill-{run}-{n}";

    /// <summary>
    /// One case from the customer's form to the answer: submit, then complete its open tasks and answer its surveys
    /// until it is answered.
    /// </summary>
    public async Task RunCaseAsync(int n, CancellationToken stop)
    {
        var sample = _mix[n % _mix.Count];
        var form = new JsonObject
        {
            ["channel"] = "WebForm",
            ["customerName"] = $"Drill customer {n}",
            ["customerEmail"] = $"drill{n}@example.com",
            ["language"] = sample.Language,
            ["title"] = sample.Title,
            ["content"] = sample.Text,
        };
        var key = Key(n);
        Submitted.Add(key);
        var (status, body) = await SendAsync(staff: false, () => Post("/api/feedback", form, key), stop);
        if (status is not (HttpStatusCode.Created or HttpStatusCode.OK)) { Error($"intake {key}: {(int?)status} {body}"); return; }
        var number = (string)JsonNode.Parse(body!)!["number"]!;
        Cases[key] = number;

        var answeredLinks = new HashSet<string>();
        while (DateTime.UtcNow < deadline && !stop.IsCancellationRequested)
        {
            (status, body) = await SendAsync(staff: true, () => new HttpRequestMessage(HttpMethod.Get, $"/api/tasks?caseNumber={number}&status=Open"), stop);
            if (status != HttpStatusCode.OK) { Error($"tasks of {number}: {(int?)status} {body}"); return; }
            var open = JsonNode.Parse(body!)!["items"]!.AsArray();
            if (open.Count > 0)
            {
                var item = open[0]!.AsObject();
                var task = tasks.Prepare(item);
                var completion = new JsonObject { ["action"] = task.Action, ["values"] = task.Values.DeepClone() };
                // A review keeps out whoever rectified the case, which the task API does not show: on 403 the next
                // member with the role takes it, as a colleague would.
                foreach (var user in tasks.Candidates(item))
                {
                    (status, body) = await SendAsync(staff: true, () =>
                    {
                        var request = Post($"/api/tasks/{task.Id}/complete", completion, $"drill-{task.Id}");
                        request.Headers.Add("X-Staff-User", user);
                        return request;
                    }, stop);
                    if (status != HttpStatusCode.Forbidden) break;
                }
                if (status != HttpStatusCode.OK) { Error($"completing '{task.Title}' of {number}: {(int?)status} {body}"); return; }
                Interlocked.Increment(ref _completions);
                continue;
            }
            (status, body) = await SendAsync(staff: true, () => new HttpRequestMessage(HttpMethod.Get, $"/api/feedback/{number}"), stop);
            if (status != HttpStatusCode.OK) { Error($"case {number}: {(int?)status} {body}"); return; }
            var caseStatus = (string?)JsonNode.Parse(body!)!["status"] ?? "";
            if (Answered.Contains(caseStatus))
            {
                Interlocked.Increment(ref _answered);
                return;
            }
            // The shipped process asks the customer by mail; each survey mail (one per rectification round) is answered once.
            if (caseStatus == "AwaitingCustomer"
                && sink.Mail.FirstOrDefault(m => m.CaseNumber == number && m.LinkPath is { } path && !answeredLinks.Contains(path)) is { LinkPath: { } link })
            {
                answeredLinks.Add(link);
                if (!await AnswerSurveyAsync(number, link, stop)) return;
                continue;
            }
            // Between steps (e.g. the next task is opened by a burst still running elsewhere): look again shortly.
            await Task.Delay(250, stop);
        }
    }

    /// <summary>
    /// The customer opens the survey page from the mailed link and sends the form with the anti-forgery token it
    /// carries, both on one host and with one client of its own (the token belongs to that client's cookie). A dead
    /// host means the pair is tried again elsewhere; a page that says the link was used, or shows no form because the
    /// survey no longer waits, means an earlier attempt's answer arrived although its reply was lost. False when the
    /// answer was refused.
    /// </summary>
    private async Task<bool> AnswerSurveyAsync(string number, string path, CancellationToken stop)
    {
        DrillCluster.Slot? failed = null;
        while (DateTime.UtcNow < deadline && !stop.IsCancellationRequested)
        {
            var slot = cluster.Pick(_random, failed);
            try
            {
                // A client of its own: the page's anti-forgery cookie must be this customer's, not one that a
                // concurrent customer's page set in a client the workers share (that answer is refused with 400).
                using var customer = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) })
                {
                    BaseAddress = slot.Public.BaseAddress, Timeout = slot.Public.Timeout,
                };
                using var page = await customer.GetAsync(path, stop);
                var html = await page.Content.ReadAsStringAsync(stop);
                if (page.StatusCode == HttpStatusCode.Gone) { Interlocked.Increment(ref _surveys); return true; }
                if ((int)page.StatusCode < 500)
                {
                    if (page.StatusCode != HttpStatusCode.OK) { Error($"survey page of {number}: {(int)page.StatusCode} {html}"); return false; }
                    if (HiddenFieldPattern().Match(html) is not { Success: true } token) { Interlocked.Increment(ref _surveys); return true; }
                    using var form = new FormUrlEncodedContent([
                        new("rating", "5"), new("comment", "Drill: handled well."),
                        new(WebUtility.HtmlDecode(token.Groups["name"].Value), WebUtility.HtmlDecode(token.Groups["value"].Value))]);
                    using var answer = await customer.PostAsync(path, form, stop);
                    var text = await answer.Content.ReadAsStringAsync(stop);
                    if (answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict) { Interlocked.Increment(ref _surveys); return true; }
                    if ((int)answer.StatusCode < 500) { Error($"survey answer of {number}: {(int)answer.StatusCode} {text}"); return false; }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !stop.IsCancellationRequested))
            {
                // The host died between or during the two requests: try the pair on another one.
            }
            failed = slot;
            Interlocked.Increment(ref _retries);
            int pause;
            lock (_random) pause = _random.Next(200, 800);
            await Task.Delay(pause, stop);
        }
        Error($"survey of {number}: given up at the drill's deadline");
        return false;
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)">""")]
    private static partial Regex HiddenFieldPattern();

    /// <summary>Starts the drill timer flow as instance <paramref name="instanceId"/>, due at <paramref name="dueAt"/>.</summary>
    /// <remarks>
    /// The client names the instance, so after a lost answer it asks whether the instance exists before starting it
    /// again: a start is never doubled by the client, and a second start of the same id would be refused anyway.
    /// </remarks>
    public async Task StartTimerAsync(string definitionId, string instanceId, DateTimeOffset dueAt, CancellationToken stop)
    {
        var start = new JsonObject { ["instanceId"] = instanceId, ["input"] = new JsonObject { ["dueAt"] = dueAt.ToString("O") } };
        while (DateTime.UtcNow < deadline && !stop.IsCancellationRequested)
        {
            var (status, body) = await SendAsync(staff: true, () => new HttpRequestMessage(HttpMethod.Get, $"/elsa/api/workflow-instances/{instanceId}"), stop);
            if (status == HttpStatusCode.OK) { Timers[instanceId] = dueAt; return; }
            if (status != HttpStatusCode.NotFound) { Error($"timer instance {instanceId}: {(int?)status} {body}"); return; }
            (status, body) = await SendAsync(staff: true, () => Post($"/elsa/api/workflow-definitions/{definitionId}/execute", start, null), stop, once: true);
            if (status == HttpStatusCode.OK) { Timers[instanceId] = dueAt; return; }
            // Lost answer or refused (already there): the next look decides.
        }
    }

    /// <summary>
    /// Sends until a host answers below 500 (or, with <paramref name="once"/>, after one attempt), each attempt to a
    /// host other than the last one that failed. Returns the answer, or null status at the deadline.
    /// </summary>
    private async Task<(HttpStatusCode? Status, string? Body)> SendAsync(bool staff, Func<HttpRequestMessage> request, CancellationToken stop, bool once = false)
    {
        DrillCluster.Slot? failed = null;
        while (DateTime.UtcNow < deadline && !stop.IsCancellationRequested)
        {
            var slot = cluster.Pick(_random, failed);
            try
            {
                using var message = request();
                using var response = await (staff ? slot.Staff : slot.Public).SendAsync(message, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                if ((int)response.StatusCode < 500 || once) return (response.StatusCode, body);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !stop.IsCancellationRequested))
            {
                if (once) return (null, e.Message);
            }
            failed = slot;
            Interlocked.Increment(ref _retries);
            int pause;
            lock (_random) pause = _random.Next(200, 800);
            await Task.Delay(pause, stop);
        }
        return (null, "given up at the drill's deadline");
    }

    private static HttpRequestMessage Post(string path, JsonObject body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private void Error(string message) => _errors.Enqueue(IntakeClient.Shorten(message));
}
