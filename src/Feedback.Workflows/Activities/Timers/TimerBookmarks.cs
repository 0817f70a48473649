using System.Text.Json.Nodes;
using Feedback.Workflows.Runtime;

namespace Feedback.Workflows.Activities.Timers;

/// <summary>Shared by the timer activities: a bookmark that a scheduled job resumes at a given instant.</summary>
internal static class TimerBookmarks
{
    public static void WaitUntil(ActivityExecutionContext context, string stimulus, DateTimeOffset resumeAt)
    {
        if (resumeAt <= context.Now) { context.Complete(); return; }
        context.CreateBookmark(new BookmarkRequest(stimulus, new JsonObject { ["ResumeAt"] = resumeAt.ToString("O") }, resumeAt, IncludeActivityInstanceId: true));
    }

    /// <summary>The next instant a Quartz cron expression (with seconds, evaluated in UTC) fires after <paramref name="after"/>.</summary>
    /// <exception cref="FormatException">The expression is not valid cron syntax, or never fires again.</exception>
    public static DateTimeOffset NextCronOccurrence(string expression, DateTimeOffset after)
    {
        if (!Quartz.CronExpression.TryParse(expression, out var parsed) || parsed is null)
            throw new FormatException($"'{expression}' is not a valid cron expression (Quartz syntax with seconds, e.g. '0 0 9 ? * MON-FRI').");
        var cron = parsed.WithTimeZone(TimeZoneInfo.Utc);
        return cron.GetNextValidTimeAfter(after) ?? throw new FormatException($"The cron expression '{expression}' never fires after {after:O}.");
    }
}
