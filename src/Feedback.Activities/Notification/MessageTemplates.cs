using System.Text.Json.Nodes;
using Feedback.Workflows.Expressions;

namespace Feedback.Activities.Notification;

/// <summary>The messages sent to customers.</summary>
public enum CustomerMessage { Acknowledgement, Progress, Result, Survey }

/// <summary>A rendered message.</summary>
public sealed record RenderedMessage(string Subject, string Text);

/// <summary>
/// Liquid templates per message and language, one file each: <c>{message}.{language}.liquid</c>, whose first line is
/// <c>Subject: ...</c>, then a blank line, then the body. Missing languages fall back to zh-CN.
/// </summary>
public sealed class MessageTemplates(FeedbackDomainOptions options)
{
    /// <summary>Renders a message (or the given override templates) with <paramref name="model"/>.</summary>
    /// <exception cref="FileNotFoundException">No template file for the message in the language or in zh-CN.</exception>
    /// <exception cref="ExpressionEvaluationException">The template is invalid Liquid or failed to render.</exception>
    public RenderedMessage Render(CustomerMessage message, string language, JsonObject model, DateTimeOffset now, string? subjectOverride = null, string? bodyOverride = null)
    {
        string subject, body;
        if (subjectOverride is not null && bodyOverride is not null) (subject, body) = (subjectOverride, bodyOverride);
        else
        {
            (subject, body) = Split(Load(message.ToString().ToLowerInvariant(), language));
            subject = subjectOverride ?? subject;
            body = bodyOverride ?? body;
        }
        // A customer reads dates on the company's calendar: feedback sent at 07:59 in Beijing is of that day, not the
        // UTC day before.
        var zone = options.Reports.Zone;
        return new RenderedMessage(LiquidRenderer.Render(subject, model, now, timeZone: zone).Trim(), LiquidRenderer.Render(body, model, now, timeZone: zone).Trim() + "\n");
    }

    /// <summary>
    /// Renders a message that is not a customer message (e.g. <c>staff-task</c>) from its template file. Staff read
    /// times on the company's clock too; a template names each time's offset itself (<c>%:z</c>), as it may differ
    /// across a daylight-saving change.
    /// </summary>
    /// <exception cref="FileNotFoundException">No template file in the language or in zh-CN.</exception>
    public RenderedMessage Render(string templateName, string language, JsonObject model, DateTimeOffset now)
    {
        var (subject, body) = Split(Load(templateName, language));
        var zone = options.Reports.Zone;
        return new RenderedMessage(LiquidRenderer.Render(subject, model, now, timeZone: zone).Trim(), LiquidRenderer.Render(body, model, now, timeZone: zone).Trim() + "\n");
    }

    /// <summary>An instant as staff mail shows it: on the company's clock, with the offset named ("2026-11-25 07:59 (UTC+08:00)").</summary>
    public string Time(DateTimeOffset at) => options.Reports.Show(at);

    /// <summary>
    /// A mail to a staff member from template <paramref name="templateName"/> in the staff language, as the mail outbox
    /// takes it. The model gets <c>Staff</c> (user name, display name) and <c>Company</c> besides what the caller put in.
    /// </summary>
    /// <param name="kind">The mail's <c>message</c> in the outbox (its X-Feedback-Message header).</param>
    /// <exception cref="FileNotFoundException">No template file in the staff language or in zh-CN.</exception>
    public JsonObject StaffMail(string templateName, Organization.StaffMember to, JsonObject model, string? caseNumber, string kind, DateTimeOffset now)
    {
        model["Staff"] = new JsonObject { ["UserName"] = to.UserName, ["DisplayName"] = to.DisplayName };
        model["Company"] = options.CompanyName;
        var rendered = Render(templateName, options.StaffLanguage, model, now);
        return new JsonObject
        {
            ["to"] = to.Email, ["toName"] = to.DisplayName, ["subject"] = rendered.Subject, ["text"] = rendered.Text,
            ["caseNumber"] = caseNumber, ["message"] = kind, ["language"] = options.StaffLanguage,
        };
    }

    private string Load(string name, string language)
    {
        var folder = options.TemplatesFolder ?? throw new FileNotFoundException("No templates folder is configured (FeedbackDomainOptions.TemplatesFolder).");
        foreach (var candidate in new[] { language, "zh-CN" })
        {
            var path = Path.Combine(folder, $"{name}.{candidate}.liquid");
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        throw new FileNotFoundException($"No template for {name} in {language} or zh-CN under {folder}.");
    }

    private static (string Subject, string Body) Split(string template)
    {
        var newline = template.IndexOf('\n');
        var first = newline < 0 ? template : template[..newline];
        if (!first.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
            throw new FormatException("A message template must start with a 'Subject:' line.");
        return (first["Subject:".Length..].Trim(), newline < 0 ? "" : template[(newline + 1)..].TrimStart('\r', '\n'));
    }
}
