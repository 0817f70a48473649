using System.Globalization;
using System.Text;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Activities.Persistence;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Host.Pages.Staff;

/// <summary><c>/staff/absence</c>: the signed-in member records when they are away and who stands in (see <see cref="AbsenceService"/>).</summary>
internal static class AbsencePage
{
    public const string Route = "/staff/absence";
    private const string LocalFormat = "yyyy-MM-dd'T'HH:mm";

    public static void MapStaffAbsence(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, async (HttpContext http, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var m = actor!.Member!;
            string Field(DateTimeOffset? at) => at is { } t ? TimeZoneInfo.ConvertTime(t, page.Zone).ToString(LocalFormat, CultureInfo.InvariantCulture) : "";
            var values = new Dictionary<string, string>
            {
                ["from"] = Field(m.AbsentFrom),
                ["until"] = Field(m.AbsentUntil),
                ["delegate"] = m.Delegate ?? "",
            };
            return await RenderAsync(http, page, m, values, http.Request.Query["saved"] == "1" ? page.T("staff.absence.saved") : null, null, StatusCodes.Status200OK, ct);
        });

        app.MapPost(Route, async (HttpContext http, AbsenceService absences, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var form = await http.Request.ReadFormAsync(ct);
            var values = new[] { "from", "until", "delegate" }.ToDictionary(k => k, k => form[k].ToString().Trim());
            var user = actor!.UserName!;
            try
            {
                if (form["action"] == "clear") await absences.ClearAsync(user, ct);
                else await absences.SetAsync(user, Instant(values["from"], page.Zone), Instant(values["until"], page.Zone), values["delegate"], ct);
            }
            catch (CaseValidationException e)
            {
                return await RenderAsync(http, page, actor.Member!, values, null, e.Errors, StatusCodes.Status400BadRequest, ct);
            }
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Feedback.Host.Staff")
                .LogInformation("{User} set their absence: {From} to {Until}, delegate {Delegate}", user, values["from"], values["until"], values["delegate"]);
            return Results.Redirect($"{http.Request.PathBase}{Route}?lang={Uri.EscapeDataString(page.Language)}&saved=1");
        });
    }

    /// <summary>A <c>datetime-local</c> value read on the company's clock; null when empty or not a time.</summary>
    private static DateTimeOffset? Instant(string text, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(text, [LocalFormat, LocalFormat + ":ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
        // The zone's offset at that wall-clock time; for a time a daylight-saving change skips or repeats, the zone's
        // standard offset, so that every value the form can send is a time (none throws).
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static async Task<IResult> RenderAsync(HttpContext http, PageFrame page, StaffMember member, IReadOnlyDictionary<string, string> values, string? notice, IReadOnlyList<string>? errors, int status, CancellationToken ct)
    {
        List<StaffMember> colleagues;
        await using (var db = await http.RequestServices.GetRequiredService<IDbContextFactory<FeedbackDbContext>>().CreateDbContextAsync(ct))
            colleagues = await db.Staff.AsNoTracking().Where(s => s.Active && s.UserName != member.UserName)
                .OrderBy(s => s.DepartmentId == member.DepartmentId ? 0 : 1).ThenBy(s => s.DepartmentId).ThenBy(s => s.DisplayName).ToListAsync(ct);
        string V(string name) => PageFrame.E(values.GetValueOrDefault(name));
        var html = new StringBuilder($"<p>{PageFrame.E(PageTexts.Format("staff.absence.intro", page.Language, page.Zone.Id))}</p>");
        if (notice is not null) html.Append($"<section class=\"notice\" role=\"status\"><p>{PageFrame.E(notice)}</p></section>");
        var current = member.AbsentUntil is { } until
            ? PageTexts.Format("staff.absence.current", page.Language, member.AbsentFrom is { } from ? page.Time(from) : "-",
                page.Time(until), member.Delegate ?? "-")
            : page.T("staff.absence.none");
        html.Append($"<p id=\"absence\">{PageFrame.E(current)}</p>");
        html.Append($"<form method=\"post\" action=\"{PageFrame.E(page.Self)}?lang={PageFrame.E(page.Language)}\">{page.Errors(errors)}{page.AntiforgeryField()}");
        html.Append($"<label for=\"from\">{PageFrame.E(page.T("staff.absence.from"))}</label><input type=\"datetime-local\" id=\"from\" name=\"from\" value=\"{V("from")}\" style=\"width:100%;padding:.55em;font:inherit\">");
        html.Append($"<label for=\"until\">{PageFrame.E(page.T("staff.absence.until"))}</label><input type=\"datetime-local\" id=\"until\" name=\"until\" value=\"{V("until")}\" style=\"width:100%;padding:.55em;font:inherit\">");
        html.Append($"<label for=\"delegate\">{PageFrame.E(page.T("staff.absence.delegate"))}</label><select id=\"delegate\" name=\"delegate\"><option value=\"\"></option>");
        foreach (var c in colleagues)
            html.Append($"<option value=\"{PageFrame.E(c.UserName)}\"{(values.GetValueOrDefault("delegate") == c.UserName ? " selected" : "")}>{PageFrame.E(c.DisplayName)} ({PageFrame.E(c.UserName)}, {PageFrame.E(c.DepartmentId)})</option>");
        html.Append("</select>");
        html.Append($"<button type=\"submit\" name=\"action\" value=\"set\">{PageFrame.E(page.T("staff.absence.save"))}</button>");
        if (member.AbsentUntil is not null)
            html.Append($"<button type=\"submit\" name=\"action\" value=\"clear\" class=\"secondary\" formnovalidate>{PageFrame.E(page.T("staff.absence.clear"))}</button>");
        html.Append("</form>");
        html.Append($"<p><a href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Root)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.inbox.back"))}</a></p>");
        return page.Render(page.T("staff.absence.title"), html.ToString(), status);
    }
}
