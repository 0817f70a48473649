using Feedback.Activities.Access;
using Feedback.Activities.Audit;
using Feedback.Activities.Cases;
using Feedback.Activities.Reports;
using Feedback.Host.Access;
using Feedback.Host.Api;
using Feedback.Host.Studio;
using Feedback.Workflows.Api;
using Feedback.Workflows.Runtime;

namespace Feedback.Host.Reports;

/// <summary>
/// Report figures as JSON and CSV under <c>/api/reports</c> (API key), and the dashboard with its CSV exports under
/// <c>/studio/reports</c> (the admin shell's sign-in, whose cookie is scoped to /studio). Who sees which department is decided by the actor.
/// </summary>
internal static class ReportEndpoints
{
    public const string Dashboard = "/studio/reports";

    public static void MapReports(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/reports").AddEndpointFilter<ApiKeyFilter>();
        api.MapGet("/figures", async (HttpContext http, ReportHandlers h, CancellationToken ct) =>
            Results.Json(await h.FiguresAsync(await h.RequestAsync(http, ct), ct), FeedbackEndpoints.Json));
        api.MapGet("/trend", async (HttpContext http, ReportHandlers h, CancellationToken ct) =>
        {
            var request = await h.RequestAsync(http, ct);
            return Results.Json(new { request.Department, points = await h.TrendAsync(request, ct) }, FeedbackEndpoints.Json);
        });
        MapCsv(api);

        var pages = app.MapGroup(Dashboard).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.RequestServices.GetRequiredService<StudioSession>().Current(http) is not null) return await next(context);
            var back = http.Request.Path + http.Request.QueryString;
            return Results.Redirect($"{http.Request.PathBase}{StudioRoutes.SignIn}?returnUrl={Uri.EscapeDataString(back)}");
        }).AddEndpointFilter(async (context, next) =>
        {
            // The API's problem handler answers only under /api: here a bad period or dimension is the reader's mistake
            // too, a 400 page that says what is wrong, for the dashboard and its CSV links alike.
            try
            {
                return await next(context);
            }
            catch (ReportValidationException e)
            {
                var http = context.HttpContext;
                var errors = string.Concat(e.Errors.Select(m => $"<li>{StudioHtml.Encode(m)}</li>"));
                return new StudioHtml(http, http.RequestServices.GetRequiredService<StudioSession>().Current(http))
                    .Page("Reports", $"<h1>The report request is not valid</h1><ul>{errors}</ul><p><a href=\"{StudioHtml.Encode(http.Request.PathBase + Dashboard)}\">This month's report</a></p>", StatusCodes.Status400BadRequest);
            }
        });
        pages.MapGet("", async (HttpContext http, ReportHandlers h, CancellationToken ct) =>
        {
            var request = await h.RequestAsync(http, ct);
            var figures = await h.FiguresAsync(request, ct);
            var byCategory = request.By == ReportDimension.Category ? figures : await h.FiguresAsync(request with { By = ReportDimension.Category }, ct);
            var byDepartment = request.By == ReportDimension.Department ? figures : await h.FiguresAsync(request with { By = ReportDimension.Department }, ct);
            var html = DashboardPage.Render(request, await h.TrendAsync(request, ct), byDepartment, byCategory, http.Request.PathBase + Dashboard);
            return new StudioHtml(http, http.RequestServices.GetRequiredService<StudioSession>().Current(http)).Page("Reports", html);
        });
        MapCsv(pages);
    }

    private static void MapCsv(RouteGroupBuilder group)
    {
        group.MapGet("/figures.csv", async (HttpContext http, ReportHandlers h, CancellationToken ct) =>
        {
            var report = await h.FiguresAsync(await h.RequestAsync(http, ct), ct);
            return ReportCsv.File(ReportCsv.Figures(report), $"figures-{report.By.ToString().ToLowerInvariant()}-{report.Period.Label}.csv");
        });
        group.MapGet("/trend.csv", async (HttpContext http, ReportHandlers h, CancellationToken ct) =>
        {
            var request = await h.RequestAsync(http, ct);
            return ReportCsv.File(ReportCsv.Trend(await h.TrendAsync(request, ct)), $"trend-{request.Trend.Label}.csv");
        });
        // Contacts are masked unless reveal=contacts is asked by someone allowed; every case so revealed gets an audit line.
        group.MapGet("/cases.csv", async (HttpContext http, string? reveal, ReportHandlers h, CancellationToken ct) =>
        {
            if (reveal is not null and not "contacts") throw new ReportValidationException([$"reveal: '{reveal}' is not something to reveal; use reveal=contacts."]);
            var (request, cases, revealed) = await h.CasesAsync(http, reveal is not null, ct);
            return ReportCsv.File(ReportCsv.Cases(cases, c => revealed.Contains(c.Id)), $"cases-{request.Period.Label}.csv");
        });
    }
}

/// <summary>What every report route does: resolve the actor, read the request, ask the domain.</summary>
internal sealed class ReportHandlers(ReportService reports, CaseList caseList, AuditTrail audit, ReportOptions options, StaffActorResolver access, IClock clock)
{
    /// <summary>The cases of the period, and the ids of those whose contacts the actor asked to see and may (audited).</summary>
    public async Task<(ReportRequest Request, IReadOnlyList<FeedbackCase> Cases, HashSet<long> Revealed)> CasesAsync(HttpContext http, bool reveal, CancellationToken ct)
    {
        var request = await RequestAsync(http, ct);
        var actor = await access.ResolveAsync(http, ct);
        var cases = await caseList.ListAsync(request.Period, request.Department, actor.UserName, ct);
        var revealed = reveal ? cases.Where(c => CaseAccess.MayRevealContacts(actor, c)).Select(c => c.Id).ToHashSet() : [];
        await audit.RecordManyAsync(revealed, actor.AuditName, "export", "ContactsRevealed", $"The customer's name and contacts were exported (cases {request.Period.Label}).", ct);
        return (request, cases, revealed);
    }

    public async Task<ReportRequest> RequestAsync(HttpContext http, CancellationToken ct) =>
        ReportRequest.Read(http.Request.Query, await access.ResolveAsync(http, ct), options, clock.UtcNow);

    public Task<Report> FiguresAsync(ReportRequest request, CancellationToken ct) => reports.ComputeAsync(request.Period, request.By, request.Department, ct);

    public Task<IReadOnlyList<TrendPoint>> TrendAsync(ReportRequest request, CancellationToken ct) => reports.TrendAsync(request.Trend, request.Department, ct);
}
