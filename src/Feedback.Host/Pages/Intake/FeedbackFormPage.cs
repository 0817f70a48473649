using System.Security.Cryptography;
using System.Text;
using Feedback.Activities.Cases;
using Feedback.Activities.Links;
using Feedback.Activities.Organization;
using Feedback.Host.Links;
using Feedback.Host.Pages.Links;
using Feedback.Host.Pages.Shared;
using Feedback.Workflows.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;

namespace Feedback.Host.Pages.Intake;

/// <summary>
/// The public feedback form (<c>/feedback</c>): contact details or anonymous, the text, product facts and up to three
/// photos, and whom it is about if the customer knows. A hidden key makes a repeated submit (double click, refresh)
/// find the case the first one created; the key sent again with changed text is not taken for that case.
/// </summary>
internal static class FeedbackFormPage
{
    public const string Route = "/feedback";
    /// <summary>The photos plus room for the text fields.</summary>
    public const long MaxRequestBytes = PhotoStore.MaxPhotos * (long)PhotoStore.MaxPhotoBytes + 256 * 1024;

    /// <summary>The longest name of a staff member the form takes.</summary>
    public const int MaxStaffNameLength = 100;

    public static void MapFeedbackForm(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, (HttpContext http) =>
        {
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            return Render(page, new Dictionary<string, string> { ["key"] = RandomNumberGenerator.GetHexString(32, lowercase: true), ["language"] = page.Language }, null, StatusCodes.Status200OK);
        });

        app.MapPost(Route, async (HttpContext http, IAntiforgery antiforgery, CaseService cases, PhotoStore photos, ActionLinkIssuer links, DirectoryService directory, CancellationToken ct) =>
        {
            var page = new PageFrame(http, PageLanguage.Choose(http.Request));
            if (http.Request.ContentLength > MaxRequestBytes)
            {
                if (await OversizeForm.ReadTextFieldsAsync(http.Request, ct) is not { } kept)
                    return LinkPages.Problem(http, "problem.form", StatusCodes.Status413PayloadTooLarge, TooLarge(page));
                // The text comes back in a fresh form. A fresh key too: no token was checked, so the post may come from
                // another site, which must not choose the key the customer's send uses.
                kept.Remove("__af");
                kept["key"] = RandomNumberGenerator.GetHexString(32, lowercase: true);
                return Render(page, kept, [PageTexts.Format("intake.error.too-large.kept", page.Language, PhotoStore.MaxPhotos, PhotoStore.MaxPhotoBytes / 1024 / 1024)],
                    StatusCodes.Status413PayloadTooLarge);
            }
            if (!http.Request.HasFormContentType) return LinkPages.Problem(http, "problem.form", StatusCodes.Status400BadRequest);
            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxRequestBytes, ValueLengthLimit = 64 * 1024 }, ct);
            }
            catch (InvalidDataException)
            {
                return LinkPages.Problem(http, "problem.form", StatusCodes.Status413PayloadTooLarge, TooLarge(page));
            }
            var fields = form.Keys.Where(k => k != "__af").ToDictionary(k => k, k => form[k].ToString().Trim());
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                // Mostly a form left open until its token expired: the customer's text comes back in a fresh form, to
                // check and send again; nothing is registered from a post this host cannot vouch for.
                // A fresh key: the post may come from another site, which must not choose the key the customer's send uses.
                fields["key"] = RandomNumberGenerator.GetHexString(32, lowercase: true);
                return Render(page, fields, [page.T("intake.error.expired")], StatusCodes.Status400BadRequest);
            }
            var (uploaded, photoProblems) = await PhotoStore.ReadAsync(form.Files, "photos", ct);
            var baseUrl = links.BaseUrl();
            var registration = Registration(fields, uploaded.Select(p => $"{baseUrl}{PhotoStore.Route}/{p.Id}").ToList());
            var (withStaff, staffProblem) = await WithStaffNamedAsync(registration, fields.GetValueOrDefault("staff"), directory, ct);
            registration = withStaff;
            // In the page's language and with the form's own labels: the API's texts name JSON fields the customer never saw.
            var errors = photoProblems.Select(p => Say(page, p))
                .Concat(CaseRegistrationValidator.Problems(registration).Prepend(staffProblem).OfType<RegistrationProblem>().Select(p => Say(page, p)))
                .ToList();
            var key = fields.GetValueOrDefault("key");
            if (key is not { Length: > 0 and <= 100 }) errors.Add(page.T("intake.error.key"));
            if (errors.Count > 0) return Render(page, fields, errors, StatusCodes.Status400BadRequest);

            // Photos are stored first (the case refers to them by address); if no new case comes of this submit they go.
            await photos.SaveAsync(uploaded, ct);
            CaseService.Registered registered;
            try
            {
                registered = await cases.RegisterAsync(registration, "customer", "web form", "web:" + key, ct);
            }
            catch (IdempotencyKeyReusedException)
            {
                // The page was sent before with other text (changed after going back); that case stands as it was. A fresh
                // key lets the customer send the changed text as feedback of its own.
                await photos.DeleteAsync(uploaded, CancellationToken.None);
                fields["key"] = RandomNumberGenerator.GetHexString(32, lowercase: true);
                return Render(page, fields, [page.T("intake.resent")], StatusCodes.Status422UnprocessableEntity);
            }
            catch (CaseValidationException)
            {
                // The form's fields were checked above; what registration refuses besides is nothing a customer can fix here.
                await photos.DeleteAsync(uploaded, CancellationToken.None);
                return Render(page, fields, [page.T("intake.error.invalid")], StatusCodes.Status400BadRequest);
            }
            catch
            {
                await photos.DeleteAsync(uploaded, CancellationToken.None);
                throw;
            }
            if (!registered.Created) await photos.DeleteAsync(uploaded, CancellationToken.None);
            var caseLink = links.Issue(new ActionLinkRequest(ActionLinkKind.CasePage, registered.Case.Number, registered.Case.Number));
            var body = $"<section class=\"notice\"><p id=\"case-number\">{PageFrame.E(PageTexts.Format("intake.done.body", page.Language, registered.Case.Number))}</p>"
                + $"<p><a id=\"case-link\" href=\"{PageFrame.E(caseLink)}\">{PageFrame.E(page.T("intake.follow"))}</a></p>"
                // Nobody can write to an anonymous customer, so this link is their only way back to the case: say so.
                + (registered.Case.Anonymous ? $"<p class=\"muted\">{PageFrame.E(page.T("intake.follow.anonymous"))}</p>" : "") + "</section>";
            return page.Render(page.T("intake.done.title"), body);
        }).RequireRateLimiting(Api.PublicPostLimits.Intake);

        // Uploaded photos are customer data: staff fetch them with the API key (or through a task link, see LinkPages).
        app.MapGet(PhotoStore.Route + "/{id}", async (string id, PhotoStore photos, CancellationToken ct) =>
            await photos.FindAsync(id, ct) is { } photo ? Results.File(photo.Content, photo.ContentType) : Results.NotFound())
            .AddEndpointFilter<ApiKeyFilter>();
    }

    /// <summary>
    /// The staff member the customer names: one the directory knows by that user or display name is kept out of the
    /// case from the start; any other name goes into the text, for the complaint desk to name the person later.
    /// </summary>
    private static async Task<(CaseRegistration Registration, RegistrationProblem? Problem)> WithStaffNamedAsync(
        CaseRegistration registration, string? named, DirectoryService directory, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(named)) return (registration, null);
        if (named.Length > MaxStaffNameLength)
            return (registration, new RegistrationProblem("staff", "too-long", $"staff: at most {MaxStaffNameLength} characters.", MaxStaffNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (Feedback.Workflows.Serialization.StorableJson.Problem(named) is { } problem) return (registration, new RegistrationProblem("staff", "unstorable", $"staff: {problem}."));
        if (await directory.MatchNamedAsync(named, ct) is { } user) return (registration with { ComplainedAbout = user }, null);
        // In the language of the customer's text, which it follows.
        var note = PageTexts.Format("intake.staff.note", registration.Language ?? "zh-CN", named);
        return (registration with { Content = registration.Content is null ? null : $"{registration.Content}\n\n{note}" }, null);
    }

    /// <summary>The form's label for each field a problem may name.</summary>
    private static readonly Dictionary<string, string> FieldLabels = new()
    {
        ["content"] = "intake.field.content", ["title"] = "intake.field.title", ["customerName"] = "intake.field.name",
        ["customerPhone"] = "intake.field.phone", ["customerEmail"] = "intake.field.email", ["product.name"] = "intake.field.product",
        ["staff"] = "intake.field.staff",
    };

    /// <summary>A problem with the form's fields, as the customer reads it on the page.</summary>
    private static string Say(PageFrame page, RegistrationProblem problem)
    {
        var label = FieldLabels.TryGetValue(problem.Field, out var key) ? page.T(key) : null;
        return (problem.Code, label) switch
        {
            ("contact-required" or "not-email" or "not-phone", _) or ("link", not null) => page.T("intake.error." + problem.Code),
            ("required" or "markup" or "unstorable", not null) => PageTexts.Format("intake.error." + problem.Code, page.Language, label),
            ("too-long", not null) => PageTexts.Format("intake.error.too-long", page.Language, label, problem.Value),
            (_, not null) => PageTexts.Format("intake.error.other", page.Language, label),
            _ => page.T("intake.error.invalid"),
        };
    }

    private static string Say(PageFrame page, PhotoStore.Problem problem) =>
        PageTexts.Format("intake.error.photos." + problem.Code, page.Language, problem.Code == "too-many" ? PhotoStore.MaxPhotos : problem.FileName, PhotoStore.MaxPhotoBytes / 1024 / 1024);

    private static string TooLarge(PageFrame page) => PageTexts.Format("intake.error.too-large", page.Language, PhotoStore.MaxPhotos, PhotoStore.MaxPhotoBytes / 1024 / 1024);

    private static CaseRegistration Registration(IReadOnlyDictionary<string, string> f, List<string> photos)
    {
        var anonymous = f.GetValueOrDefault("anonymous") == "on";
        string? Text(string name) => f.GetValueOrDefault(name) is { Length: > 0 } v ? v : null;
        var product = Text("product") is not null || photos.Count > 0 ? new ProductDetails { Name = Text("product"), Photos = photos } : null;
        return new CaseRegistration
        {
            Channel = FeedbackChannel.WebForm,
            Anonymous = anonymous,
            CustomerName = anonymous ? null : Text("name"),
            CustomerEmail = anonymous ? null : Text("email"),
            CustomerPhone = anonymous ? null : Text("phone"),
            Language = PageLanguage.Match(Text("language")) ?? "zh-CN",
            Title = Text("title"),
            Content = Text("content"),
            Product = product,
        };
    }

    private static IResult Render(PageFrame page, IReadOnlyDictionary<string, string> values, IReadOnlyList<string>? errors, int status)
    {
        string V(string name) => PageFrame.E(values.GetValueOrDefault(name));
        var html = new StringBuilder($"<p>{PageFrame.E(page.T("intake.intro"))}</p>");
        // The page's language goes with the post, so the answer speaks it whatever the browser prefers.
        html.Append($"<form method=\"post\" action=\"{PageFrame.E($"{page.Self}?lang={page.Language}")}\" enctype=\"multipart/form-data\">");
        html.Append(page.Errors(errors));
        html.Append(page.AntiforgeryField());
        html.Append($"<input type=\"hidden\" name=\"key\" value=\"{V("key")}\">");
        html.Append($"<label><input type=\"checkbox\" name=\"anonymous\" id=\"anonymous\"{(values.GetValueOrDefault("anonymous") == "on" ? " checked" : "")}> {PageFrame.E(page.T("intake.anonymous"))}</label>");
        html.Append($"<p class=\"muted\">{PageFrame.E(page.T("intake.anonymous.hint"))}</p>");
        // Which fields are needed depends on the anonymous box, so it is said in words the inputs point to rather than by
        // "required" attributes the browser would enforce for anonymous feedback too.
        html.Append($"<p class=\"muted\" id=\"contact-hint\">{PageFrame.E(page.T("intake.contact.hint"))}</p>");
        html.Append($"<label for=\"name\">{PageFrame.E(page.T("intake.name"))}</label><input type=\"text\" id=\"name\" name=\"name\" maxlength=\"200\" autocomplete=\"name\" aria-describedby=\"contact-hint\" value=\"{V("name")}\">");
        html.Append($"<label for=\"email\">{PageFrame.E(page.T("intake.email"))}</label><input type=\"email\" id=\"email\" name=\"email\" maxlength=\"254\" autocomplete=\"email\" aria-describedby=\"contact-hint\" value=\"{V("email")}\">");
        html.Append($"<label for=\"phone\">{PageFrame.E(page.T("intake.phone"))}</label><input type=\"tel\" id=\"phone\" name=\"phone\" maxlength=\"40\" autocomplete=\"tel\" aria-describedby=\"contact-hint\" value=\"{V("phone")}\">");
        html.Append($"<label for=\"language\">{PageFrame.E(page.T("intake.language"))}</label><select id=\"language\" name=\"language\">");
        foreach (var code in PageLanguage.Supported)
            // Each language's name is written in that language, and marked so, for screen readers.
            html.Append($"<option value=\"{code}\" lang=\"{code}\"{(values.GetValueOrDefault("language", page.Language) == code ? " selected" : "")}>{PageFrame.E(PageTexts.Get("language.name", code))}</option>");
        html.Append("</select>");
        html.Append($"<label for=\"title\">{PageFrame.E(page.T("intake.subject"))}</label><input type=\"text\" id=\"title\" name=\"title\" maxlength=\"200\" value=\"{V("title")}\">");
        html.Append($"<label for=\"content\">{PageFrame.E(page.T("intake.content"))}</label><textarea id=\"content\" name=\"content\" required maxlength=\"{CaseRegistrationValidator.MaxContentLength}\">{V("content")}</textarea>");
        html.Append($"<label for=\"product\">{PageFrame.E(page.T("intake.product"))}</label><input type=\"text\" id=\"product\" name=\"product\" maxlength=\"200\" value=\"{V("product")}\">");
        html.Append($"<label for=\"staff\">{PageFrame.E(page.T("intake.staff"))}</label><input type=\"text\" id=\"staff\" name=\"staff\" maxlength=\"{MaxStaffNameLength}\" value=\"{V("staff")}\">");
        html.Append($"<label for=\"photos\">{PageFrame.E(page.T("intake.photos"))}</label><input type=\"file\" id=\"photos\" name=\"photos\" multiple accept=\"image/jpeg,image/png,image/webp\">");
        html.Append($"<p class=\"muted\">{PageFrame.E(PageTexts.Format("intake.photos.hint", page.Language, PhotoStore.MaxPhotos, PhotoStore.MaxPhotoBytes / 1024 / 1024))}</p>");
        html.Append($"<button type=\"submit\">{PageFrame.E(page.T("intake.submit"))}</button></form>");
        return page.Render(page.T("intake.title"), html.ToString(), status);
    }
}
