using System.Security.Cryptography;
using System.Text;
using Feedback.Activities;
using Feedback.Activities.Cases;
using Feedback.Activities.Organization;
using Feedback.Host.Pages.Shared;
using Feedback.Host.Staff;

namespace Feedback.Host.Pages.Staff;

/// <summary>
/// <c>/staff/entry</c>: phone, counter and suggestion-box feedback entered by the signed-in member, registered through
/// <see cref="CaseService"/> exactly as <c>POST /api/feedback/staff-entry</c> does (the member is the registering
/// actor, via "staff entry"). A hidden key makes a repeated submit find the case the first one created. Praise (a
/// compliment at the counter) runs the praise process, as an imported positive review does.
/// </summary>
internal static class EntryPage
{
    private static readonly FeedbackChannel[] Channels = [FeedbackChannel.Phone, FeedbackChannel.Counter, FeedbackChannel.SuggestionBox];

    public static void MapStaffEntry(this IEndpointRouteBuilder app)
    {
        app.MapGet(StaffRoutes.Entry, async (HttpContext http, DirectoryService directory, CancellationToken ct) =>
        {
            var (_, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var values = new Dictionary<string, string> { ["key"] = RandomNumberGenerator.GetHexString(32, lowercase: true), ["language"] = page.Language, ["channel"] = nameof(FeedbackChannel.Phone) };
            return Render(page, values, null, StatusCodes.Status200OK, await StaffAsync(directory, ct));
        });

        app.MapPost(StaffRoutes.Entry, async (HttpContext http, CaseService cases, DirectoryService directory, FeedbackDomainOptions options, CancellationToken ct) =>
        {
            var (actor, redirect) = await StaffPageGate.RequireAsync(http, ct);
            if (redirect is not null) return redirect;
            if (await StaffPageGate.CheckPostAsync(http) is { } refused) return refused;
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            var form = await http.Request.ReadFormAsync(ct);
            var fields = form.Keys.Where(k => k != "__af").ToDictionary(k => k, k => form[k].ToString().Trim());
            var errors = new List<string>();
            var channel = Channels.Where(c => c.ToString() == fields.GetValueOrDefault("channel")).Select(c => (FeedbackChannel?)c).FirstOrDefault();
            if (channel is null) errors.Add("channel: choose phone, counter or suggestion box.");
            var registration = Registration(fields, channel);
            if (channel is not null) errors.AddRange(CaseRegistrationValidator.Validate(registration));
            var key = fields.GetValueOrDefault("key");
            if (key is not { Length: > 0 and <= 64 }) errors.Add("key: the form is incomplete; reload the page.");
            var praise = fields.GetValueOrDefault("praise") == "on";
            if (praise && string.IsNullOrWhiteSpace(options.Reviews.PraiseProcess))
                errors.Add("praise: no praise process is configured (Feedback:Reviews:PraiseProcess); enter it as feedback and record it as praise on its task page.");
            if (errors.Count > 0) return Render(page, fields, errors, StatusCodes.Status400BadRequest, await StaffAsync(directory, ct));
            try
            {
                var registered = await cases.RegisterAsync(registration, actor!.UserName!, "staff entry", "staff-entry:" + key, ct,
                    praise ? options.Reviews.PraiseProcess : null);
                var body = $"<section class=\"notice\"><p id=\"case-number\">{PageFrame.E(PageTexts.Format("staff.entry.done.body", page.Language, registered.Case.Number))}</p>"
                    + $"<p><a href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Entry)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.entry.another"))}</a> · "
                    + $"<a href=\"{PageFrame.E(http.Request.PathBase + StaffRoutes.Root)}?lang={PageFrame.E(page.Language)}\">{PageFrame.E(page.T("staff.inbox.back"))}</a></p></section>";
                return page.Render(page.T("staff.entry.done.title"), body, registered.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
            }
            catch (CaseValidationException e)
            {
                return Render(page, fields, e.Errors, StatusCodes.Status400BadRequest, await StaffAsync(directory, ct));
            }
        });
    }

    private static CaseRegistration Registration(IReadOnlyDictionary<string, string> f, FeedbackChannel? channel)
    {
        var anonymous = f.GetValueOrDefault("anonymous") == "on";
        string? Text(string name) => f.GetValueOrDefault(name) is { Length: > 0 } v ? v : null;
        return new CaseRegistration
        {
            Channel = channel,
            Anonymous = anonymous,
            CustomerName = anonymous ? null : Text("name"),
            CustomerEmail = anonymous ? null : Text("email"),
            CustomerPhone = anonymous ? null : Text("phone"),
            Language = PageLanguage.Match(Text("language")) ?? "zh-CN",
            Title = Text("title"),
            Content = Text("content"),
            Product = Text("product") is { } product ? new ProductDetails { Name = product } : null,
            ComplainedAbout = Text("complainedAbout"),
        };
    }

    /// <summary>Whom feedback can be about: the active staff, by department and name.</summary>
    private static async Task<IReadOnlyList<StaffMember>> StaffAsync(DirectoryService directory, CancellationToken ct) =>
        (await directory.GetAsync(ct)).Staff.Where(s => s.Active).OrderBy(s => s.DepartmentId, StringComparer.Ordinal).ThenBy(s => s.DisplayName, StringComparer.Ordinal).ToList();

    private static IResult Render(PageFrame page, IReadOnlyDictionary<string, string> values, IReadOnlyList<string>? errors, int status, IReadOnlyList<StaffMember> staff)
    {
        string V(string name) => PageFrame.E(values.GetValueOrDefault(name));
        var html = new StringBuilder($"<p>{PageFrame.E(page.T("staff.entry.intro"))}</p>");
        html.Append($"<form method=\"post\" action=\"{PageFrame.E(page.Self)}?lang={PageFrame.E(page.Language)}\">");
        html.Append(page.Errors(errors));
        html.Append(page.AntiforgeryField());
        html.Append($"<input type=\"hidden\" name=\"key\" value=\"{V("key")}\">");
        html.Append($"<label for=\"channel\">{PageFrame.E(page.T("staff.entry.channel"))}</label><select id=\"channel\" name=\"channel\" required>");
        foreach (var channel in Channels)
            html.Append($"<option value=\"{channel}\"{(values.GetValueOrDefault("channel") == channel.ToString() ? " selected" : "")}>{PageFrame.E(page.T("channel." + channel))}</option>");
        html.Append("</select>");
        html.Append($"<label><input type=\"checkbox\" name=\"praise\" id=\"praise\"{(values.GetValueOrDefault("praise") == "on" ? " checked" : "")}> {PageFrame.E(page.T("staff.entry.praise"))}</label>");
        html.Append($"<label><input type=\"checkbox\" name=\"anonymous\" id=\"anonymous\"{(values.GetValueOrDefault("anonymous") == "on" ? " checked" : "")}> {PageFrame.E(page.T("staff.entry.anonymous"))}</label>");
        html.Append($"<label for=\"name\">{PageFrame.E(page.T("intake.name"))}</label><input type=\"text\" id=\"name\" name=\"name\" maxlength=\"200\" value=\"{V("name")}\">");
        html.Append($"<label for=\"phone\">{PageFrame.E(page.T("intake.phone"))}</label><input type=\"tel\" id=\"phone\" name=\"phone\" maxlength=\"40\" value=\"{V("phone")}\">");
        html.Append($"<label for=\"email\">{PageFrame.E(page.T("intake.email"))}</label><input type=\"email\" id=\"email\" name=\"email\" maxlength=\"254\" value=\"{V("email")}\">");
        html.Append($"<label for=\"language\">{PageFrame.E(page.T("language.name"))}</label><select id=\"language\" name=\"language\">");
        foreach (var code in PageLanguage.Supported)
            html.Append($"<option value=\"{code}\"{(values.GetValueOrDefault("language", page.Language) == code ? " selected" : "")}>{PageFrame.E(PageTexts.Get("language.name", code))}</option>");
        html.Append("</select>");
        html.Append($"<label for=\"title\">{PageFrame.E(page.T("intake.subject"))}</label><input type=\"text\" id=\"title\" name=\"title\" maxlength=\"200\" value=\"{V("title")}\">");
        html.Append($"<label for=\"content\">{PageFrame.E(page.T("intake.content"))}</label><textarea id=\"content\" name=\"content\" required maxlength=\"{CaseRegistrationValidator.MaxContentLength}\">{V("content")}</textarea>");
        html.Append($"<label for=\"product\">{PageFrame.E(page.T("intake.product"))}</label><input type=\"text\" id=\"product\" name=\"product\" maxlength=\"200\" value=\"{V("product")}\">");
        // The person the feedback is about never handles or reviews it; naming them here keeps them out from the start.
        html.Append($"<label for=\"complainedAbout\">{PageFrame.E(page.T("staff.entry.complainedabout"))}</label><select id=\"complainedAbout\" name=\"complainedAbout\"><option value=\"\"></option>");
        foreach (var member in staff)
            html.Append($"<option value=\"{PageFrame.E(member.UserName)}\"{(values.GetValueOrDefault("complainedAbout") == member.UserName ? " selected" : "")}>{PageFrame.E($"{member.DisplayName} ({member.UserName}, {member.DepartmentId})")}</option>");
        html.Append("</select>");
        html.Append($"<button type=\"submit\">{PageFrame.E(page.T("staff.entry.submit"))}</button></form>");
        return page.Render(page.T("staff.entry.title"), html.ToString(), status);
    }
}
