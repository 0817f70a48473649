namespace Feedback.Workflows.Expressions;

/// <summary>Wraps synchronous evaluation so failures arrive through the returned task, as callers of an async API expect.</summary>
internal static class EvaluationResult
{
    public static ValueTask<object?> From(Func<object?> evaluate, CancellationToken cancellationToken)
    {
        try
        {
            return ValueTask.FromResult(evaluate());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<object?>(cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<object?>(ex);
        }
    }
}
