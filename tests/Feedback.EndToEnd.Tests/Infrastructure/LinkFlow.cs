using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Feedback.Workflows.Tests.Infrastructure;
using MimeKit;

namespace Feedback.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The shipped general-feedback process (desk approval → Customer Survey → Verify Rectification → reply), published
/// under its own id, and helpers to read the links out of received mail.
/// </summary>
public static partial class LinkFlow
{
    public const string DefinitionId = "general-feedback-links";

    /// <summary>Host settings: the example organisation, new cases on this flow, mail to the sink, links to <paramref name="baseUrl"/>.</summary>
    public static Dictionary<string, string> HostSettings(int smtpPort, string? baseUrl) => new()
    {
        ["Directory:SeedFile"] = ShippedWorkflows.OrganizationSeedFile,
        ["Feedback:WorkflowDefinitionId"] = DefinitionId,
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        ["Email:From"] = "feedback@cannery.example",
        ["Links:PublicBaseUrl"] = baseUrl ?? "",
        ["Links:Contact"] = "complaint desk, 400-800-1234",
    };

    /// <summary>The definition to publish: the shipped general-feedback process under this class's id.</summary>
    public static JsonObject Definition()
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(ShippedWorkflows.Folder, "general-feedback.json")))!.AsObject();
        definition["definitionId"] = DefinitionId;
        definition["name"] = "General feedback (link tests)";
        return definition;
    }

    /// <summary>The first link to one of the host's link pages in a mail's plain-text body.</summary>
    public static string LinkIn(MimeMessage message) =>
        LinkPattern().Match(message.TextBody ?? "") is { Success: true } match ? match.Value
            : throw new InvalidOperationException($"No link in the mail '{message.Subject}': {message.TextBody}");

    /// <summary>Waits for a mail to <paramref name="address"/> whose subject contains <paramref name="subjectPart"/>, beyond the first <paramref name="skip"/> such mails.</summary>
    public static async Task<MimeMessage> MailToAsync(this SmtpSink sink, string address, string subjectPart, int skip = 0)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var found = sink.Messages()
                .Where(m => m.To.Mailboxes.Any(b => b.Address == address) && m.Subject?.Contains(subjectPart, StringComparison.Ordinal) == true)
                .Skip(skip).FirstOrDefault(); // in order of arrival
            if (found is not null) return found;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"No mail to {address} about '{subjectPart}' within 60 s; received: {string.Join(" | ", sink.Messages().Select(m => $"{m.To} {m.Subject}"))}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"https?://[^\s/]+/l/[A-Za-z0-9_\-]+")]
    private static partial Regex LinkPattern();
}
