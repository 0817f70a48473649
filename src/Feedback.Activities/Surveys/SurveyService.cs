using System.Text.Json.Nodes;
using Feedback.Activities.Cases;
using Feedback.Workflows.Persistence;
using Feedback.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Feedback.Activities.Surveys;

/// <summary>Answers the surveys <see cref="CustomerSurvey"/> sends: a survey resumes its workflow exactly once.</summary>
public sealed class SurveyService(IDbContextFactory<WorkflowDbContext> workflowDb, WorkflowRuntime runtime)
{
    /// <summary>Whether the survey behind <paramref name="bookmarkId"/> still waits for an answer.</summary>
    public async Task<bool> IsWaitingAsync(string bookmarkId, CancellationToken cancellationToken)
    {
        await using var db = await workflowDb.CreateDbContextAsync(cancellationToken);
        return await db.Bookmarks.AsNoTracking().AnyAsync(b => b.Id == bookmarkId && b.Name == CustomerSurvey.Stimulus, cancellationToken);
    }

    /// <summary>Records the answer and lets the case's workflow go on.</summary>
    /// <exception cref="CaseValidationException">The rating or comment is invalid; nothing changed.</exception>
    /// <exception cref="SurveyClosedException">The survey was answered already, or its case moved on.</exception>
    public async Task AnswerAsync(string bookmarkId, int rating, string? comment, CancellationToken cancellationToken)
    {
        var problems = SurveyAnswer.Check(rating, comment);
        if (problems.Count > 0) throw new CaseValidationException(problems);
        try
        {
            await runtime.ResumeAsync(bookmarkId, new Dictionary<string, JsonNode?>
            {
                [CustomerSurvey.AnswerInputKey] = new JsonObject { ["Rating"] = rating, ["Comment"] = comment?.Trim() },
            }, cancellationToken);
        }
        catch (BookmarkNotWaitingException)
        {
            throw new SurveyClosedException("This survey has already been answered, or its time to answer has passed.");
        }
        catch (Exception e) when (e is WorkflowInstanceStateException or WorkflowInstanceNotFoundException)
        {
            throw new SurveyClosedException($"The case no longer waits for this survey: {e.Message}");
        }
    }
}

/// <summary>The survey cannot take an answer any more.</summary>
public sealed class SurveyClosedException(string message) : Exception(message);
