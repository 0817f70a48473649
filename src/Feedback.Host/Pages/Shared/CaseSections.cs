using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Feedback.Activities.Access;
using Feedback.Activities.Audit;
using Feedback.Activities.Cases;
using Feedback.Activities.Tasks;

namespace Feedback.Host.Pages.Shared;

/// <summary>The parts of a case that the task pages and the staff case page both show.</summary>
internal static class CaseSections
{
    /// <summary>
    /// The customer line of the summary: masked, with a link to reveal it when <paramref name="mayReveal"/>; revealed,
    /// and a line in the audit trail saying where (<paramref name="shownOn"/>), when the page is asked with <c>?reveal=contacts</c>.
    /// </summary>
    public static async Task<string> ContactsAsync(HttpContext http, PageFrame page, string reader, FeedbackCase c, bool mayReveal, string via, string shownOn, CancellationToken ct)
    {
        if (c.Anonymous) return PageFrame.E(page.T("task.anonymous"));
        static string Line(params string?[] parts) => string.Join(" · ", parts.Where(v => !string.IsNullOrWhiteSpace(v)));
        var masked = PageFrame.E(Line(PersonalData.MaskName(c.CustomerName), PersonalData.MaskPhone(c.CustomerPhone), PersonalData.MaskEmail(c.CustomerEmail)));
        if (!mayReveal) return masked;
        if (http.Request.Query["reveal"] != "contacts")
            return $"{masked} <a id=\"reveal-contacts\" href=\"{PageFrame.E(page.Self)}?lang={PageFrame.E(page.Language)}&amp;reveal=contacts\" rel=\"nofollow\">{PageFrame.E(page.T("task.reveal"))}</a>";
        await http.RequestServices.GetRequiredService<AuditTrail>().RecordAsync(c.Id, reader, via, "ContactsRevealed",
            $"The customer's name and contacts were shown on {shownOn}.", ct);
        return PageFrame.E(Line(c.CustomerName, c.CustomerPhone, c.CustomerEmail));
    }

    /// <summary>The case's facts, the customer line <paramref name="customer"/> (HTML), the text and the photos (linked under the page's own address).</summary>
    public static string Summary(PageFrame page, FeedbackCase c, string customer)
    {
        var rows = new (string Key, string? Value)[]
        {
            ("task.case", c.Number), ("task.received", page.Time(c.ReceivedAt)),
            ("task.channel", c.Channel.ToString()), ("task.category", c.Category?.ToString()), ("task.severity", c.Severity?.ToString()),
            ("task.status", PageTexts.Get("status." + c.Status, page.Language)),
            ("task.lead", c.LeadDepartment), ("task.helpers", string.Join(", ", c.HelperDepartments)), ("task.owner", c.Owner),
            ("task.satisfaction", c.Satisfaction?.ToString(CultureInfo.InvariantCulture)),
        };
        var html = new StringBuilder($"<section><h2>{PageFrame.E(page.T("task.summary"))}</h2><dl>");
        foreach (var (key, value) in rows.Where(r => !string.IsNullOrWhiteSpace(r.Value)))
            html.Append($"<dt>{PageFrame.E(page.T(key))}</dt><dd>{PageFrame.E(value)}</dd>");
        html.Append($"<dt>{PageFrame.E(page.T("task.customer"))}</dt><dd id=\"customer\">{customer}</dd></dl>");
        if (c.Title is { } title) html.Append($"<h3>{PageFrame.E(title)}</h3>");
        html.Append($"<p><strong>{PageFrame.E(page.T("task.content"))}</strong></p><pre>{PageFrame.E(c.Content)}</pre>");
        if (c.CustomerComment is { } comment)
            html.Append($"<p><strong>{PageFrame.E(page.T("task.customerComment"))}</strong></p><pre id=\"customer-comment\">{PageFrame.E(comment)}</pre>");
        // The earlier rounds' words: what the customer found wrong with the first rectification still matters after it.
        var earlier = c.CustomerComments.Count > 0 && c.CustomerComments[^1].Text == c.CustomerComment ? c.CustomerComments[..^1] : c.CustomerComments;
        if (earlier.Count > 0)
        {
            html.Append($"<p><strong>{PageFrame.E(page.T("task.earlierComments"))}</strong></p><ul id=\"earlier-comments\">");
            foreach (var words in earlier)
                html.Append($"<li>{PageFrame.E(page.T("task.round"))} {words.Round}{(words.Rating is { } r ? $" ({r}/5)" : "")}: {PageFrame.E(words.Text)}</li>");
            html.Append("</ul>");
        }
        foreach (var photo in c.Product?.Photos ?? [])
        {
            // Uploaded photos are served through this link (the staff member has no API key); other links are the customer's own.
            var href = Feedback.Activities.Intake.PhotoRules.IdFromLink(photo) is { } id ? $"{page.Self}/photos/{id}" : photo;
            html.Append($"<p><a href=\"{PageFrame.E(href)}\" rel=\"noopener noreferrer\" target=\"_blank\">{PageFrame.E(photo[(photo.LastIndexOf('/') + 1)..])}</a></p>");
        }
        return html.Append("</section>").ToString();
    }

    /// <summary>The case's completed tasks with what was entered, for reviewers; nothing when there are none.</summary>
    public static string Earlier(PageFrame page, IReadOnlyList<FeedbackTask> done)
    {
        if (done.Count == 0) return "";
        var html = new StringBuilder($"<section><h2>{PageFrame.E(page.T("task.earlier"))}</h2>");
        foreach (var task in done.OrderBy(t => t.CompletedAt))
        {
            html.Append($"<h3>{PageFrame.E(task.Title)}</h3><p class=\"muted\">{PageFrame.E(task.CompletedBy)} · {PageFrame.E(task.CompletedAction)} · {PageFrame.E(task.CompletedAt is { } completed ? page.Time(completed) : null)}</p>");
            if (task.CompletedValues is not { Count: > 0 } values) continue;
            html.Append("<dl>");
            foreach (var (name, value) in values)
            {
                var label = task.Fields.FirstOrDefault(f => f.Name == name)?.Label is { Length: > 0 } l ? l : name;
                html.Append($"<dt>{PageFrame.E(label)}</dt><dd><pre>{PageFrame.E(value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value?.ToJsonString())}</pre></dd>");
            }
            html.Append("</dl>");
        }
        return html.Append("</section>").ToString();
    }

    /// <summary>The staff's notes on the case, oldest first; nothing when there are none.</summary>
    public static string Notes(PageFrame page, IReadOnlyList<CaseNote> notes)
    {
        if (notes.Count == 0) return "";
        var html = new StringBuilder($"<section id=\"notes\"><h2>{PageFrame.E(page.T("task.notes"))}</h2><ol class=\"history\">");
        foreach (var note in notes)
            html.Append($"<li><span class=\"muted\">{PageFrame.E(page.Time(note.At))} · {PageFrame.E(note.Author)}</span> "
                + $"<pre>{PageFrame.E(note.Text ?? page.T("task.notes.removed"))}</pre></li>");
        return html.Append("</ol></section>").ToString();
    }

    /// <summary>The case's history, oldest first.</summary>
    public static string History(PageFrame page, IReadOnlyList<CaseHistoryEntry> history)
    {
        var html = new StringBuilder($"<section><h2>{PageFrame.E(page.T("task.history"))}</h2><ol class=\"history\">");
        foreach (var entry in history)
            html.Append($"<li><span class=\"muted\">{PageFrame.E(page.Time(entry.At))} · {PageFrame.E(entry.Actor)}</span> "
                + $"<strong>{PageFrame.E(entry.Action)}</strong> {PageFrame.E(entry.Details)}</li>");
        return html.Append("</ol></section>").ToString();
    }
}
