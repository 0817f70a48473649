using Feedback.Activities.Cases;
using Feedback.Activities.Persistence;
using Feedback.Activities.Retention;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Intake.Mail;

/// <summary>
/// A customer's mail added to a case is a history line that refers to its <see cref="ReceivedMail"/> row, where the
/// text is kept: history is append-only, and the text is personal data that anonymisation must be able to remove.
/// Reading a history fills the text back in.
/// </summary>
public static class CustomerMessages
{
    private const string Prefix = "received-mail:";

    /// <summary>The details of the history line of the mail with <paramref name="key"/>.</summary>
    public static string Reference(string key) => Prefix + key;

    /// <summary>Replaces each reference in <paramref name="lines"/> with the mail's text, or a note that it was removed.</summary>
    public static async Task<List<CaseHistoryEntry>> FillAsync(FeedbackDbContext db, List<CaseHistoryEntry> lines, CancellationToken cancellationToken)
    {
        var keys = lines.Where(IsReference).Select(l => l.Details![Prefix.Length..]).ToList();
        if (keys.Count == 0) return lines;
        var texts = await db.ReceivedMail.AsNoTracking().Where(m => keys.Contains(m.Key))
            .ToDictionaryAsync(m => m.Key, m => m.Text, cancellationToken);
        foreach (var line in lines.Where(IsReference))
            line.Details = texts.GetValueOrDefault(line.Details![Prefix.Length..]) ?? RetentionService.RemovedText;
        return lines;
    }

    private static bool IsReference(CaseHistoryEntry line) =>
        line.Action == MailIntakeService.CustomerMessageAction && line.Details?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}
