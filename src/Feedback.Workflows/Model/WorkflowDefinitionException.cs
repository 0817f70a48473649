namespace Feedback.Workflows.Model;

/// <summary>A definition that cannot be read or published; <see cref="Errors"/> says what and where.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    public WorkflowDefinitionException(string error) : this([error]) { }

    public WorkflowDefinitionException(IReadOnlyList<string> errors)
        : base(errors.Count == 1 ? errors[0] : $"{errors.Count} errors: " + string.Join(" ", errors))
        => Errors = errors;

    /// <summary>One message per problem, each naming the activity or property it concerns.</summary>
    public IReadOnlyList<string> Errors { get; }
}
